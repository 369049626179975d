package dev.agentkernel.runner.llm;

import dev.agentkernel.runner.model.ToolCall;
import dev.agentkernel.runner.model.ChatMessage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.ReasoningEffort;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageParam;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionTool;
import dev.agentkernel.runner.model.Cancellation;
import dev.agentkernel.runner.model.TurnCancelledException;
import dev.agentkernel.runner.model.Usage;
import dev.agentkernel.runner.model.ToolSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Chat Completions through the official OpenAI SDK, streaming with tool calls. With {@code base_url} it serves
 * any compatible server (Ollama, vLLM, ...); their {@code reasoning_content} deltas are forwarded as thinking.
 */
final class OpenAiProvider implements LlmProvider {
    private final ProviderSettings settings;
    private final OpenAIClient client;
    /**
     * One SDK mapper per JVM, for our conversions and the client's own (de)serialisation: its serializer and
     * deserializer caches are most of a first turn's cost, so what the warm-up rehearsal fills must be what the
     * agent's client uses, also when the agent was claimed from a standby whose rehearsal ran on another client.
     * Jackson mappers are thread-safe; a runner has one agent.
     */
    private static final JsonMapper SDK_JSON = ObjectMappers.jsonMapper();
    private final JsonMapper sdkJson = SDK_JSON;
    private final ConversionCache<ChatMessage, List<ChatCompletionMessageParam>> messages = new ConversionCache<>();
    private final ConversionCache<ToolSpec, ChatCompletionTool> tools = new ConversionCache<>();

    OpenAiProvider(ProviderSettings settings) {
        this.settings = settings;
        OpenAIOkHttpClient.Builder builder = OpenAIOkHttpClient.builder()
                .jsonMapper(sdkJson)
                .apiKey(settings.apiKey())
                .maxRetries(settings.maxRetries());
        if (settings.baseUrl() != null) {
            builder.baseUrl(settings.baseUrl());
        }
        if (settings.proxy() != null) {
            builder.proxy(settings.proxy());
        }
        this.client = builder.build();
    }

    @Override
    public void warm(ModelRequest sample) {
        params(sample);
    }

    ChatCompletionCreateParams params(ModelRequest request) {
        ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder()
                .model(settings.model())
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
        for (ObjectNode m : OpenAiMessages.toChat(request.systemPrompt(), List.of())) {
            params.addMessage(sdkJson.convertValue(m, ChatCompletionMessageParam.class));
        }
        // One conversation message may become several Chat Completions messages (one per tool result).
        messages.convertAll(request.messages(), m -> OpenAiMessages.toChat(null, List.of(m)).stream()
                        .map(node -> sdkJson.convertValue(node, ChatCompletionMessageParam.class)).toList())
                .forEach(list -> list.forEach(params::addMessage));
        tools.convertAll(request.tools(), spec -> sdkJson.convertValue(OpenAiMessages.tool(spec), ChatCompletionTool.class))
                .forEach(params::addTool);
        if (settings.thinking() != ThinkingLevel.NONE) {
            params.reasoningEffort(ReasoningEffort.of(settings.thinking().wireName()));
        }
        return params.build();
    }

    @Override
    public void rehearse(ModelRequest sample, String baseUrl) {
        // as AnthropicProvider.rehearse: the same JSON mapper, a direct HTTP client
        com.openai.client.okhttp.OkHttpClient direct = com.openai.client.okhttp.OkHttpClient.builder().build();
        try {
            // the built client's headers already carry the agent's key: apiKey(...) alone would still send it
            complete(client.withOptions(o -> o.baseUrl(baseUrl).apiKey(Providers.REHEARSAL_KEY)
                            .replaceHeaders("Authorization", "Bearer " + Providers.REHEARSAL_KEY).httpClient(direct).maxRetries(0)), sample,
                    StreamListener.NONE, new Cancellation());
        } finally {
            direct.close();
        }
    }

    @Override
    public ModelResponse complete(ModelRequest request, StreamListener listener, Cancellation cancellation) {
        return complete(client, request, listener, cancellation);
    }

    private ModelResponse complete(OpenAIClient client, ModelRequest request, StreamListener listener, Cancellation cancellation) {
        ChatCompletionCreateParams params = params(request);
        boolean forwardThinking = settings.thinking() != ThinkingLevel.NONE;
        cancellation.throwIfCancelled();
        StringBuilder text = new StringBuilder();
        Map<Long, PartialCall> calls = new TreeMap<>();
        String[] finish = {null};
        Usage[] usage = {Usage.ZERO};
        try (StreamResponse<ChatCompletionChunk> stream = cancellation.open(() -> client.chat().completions().createStreaming(params));
             Cancellation.Registration ignored = cancellation.register(stream::close)) {
            stream.stream().forEach(chunk -> {
                chunk.usage().ifPresent(u -> usage[0] = new Usage(u.promptTokens(), u.completionTokens()));
                for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                    ChatCompletionChunk.Choice.Delta delta = choice.delta();
                    if (forwardThinking) {
                        reasoning(delta).ifPresent(listener::onThinking);
                    }
                    delta.content().filter(s -> !s.isEmpty()).ifPresent(s -> {
                        text.append(s);
                        listener.onText(s);
                    });
                    delta.toolCalls().ifPresent(list -> list.forEach(tc -> {
                        PartialCall call = calls.computeIfAbsent(tc.index(), i -> new PartialCall());
                        tc.id().ifPresent(id -> call.id = id);
                        tc.function().ifPresent(fn -> {
                            fn.name().ifPresent(n -> call.name = n);
                            fn.arguments().ifPresent(call.arguments::append);
                        });
                    }));
                    choice.finishReason().ifPresent(r -> finish[0] = r.asString());
                }
            });
            cancellation.throwIfCancelled();
        } catch (TurnCancelledException e) {
            throw e;
        } catch (OpenAIServiceException e) {
            if (cancellation.isCancelled()) {
                throw new TurnCancelledException();
            }
            throw ProviderErrors.fromStatus("openai", e.statusCode(), bodyOf(e), e.getMessage(), settings.maxRetries(), e);
        } catch (RuntimeException e) {
            if (cancellation.isCancelled()) {
                throw new TurnCancelledException();
            }
            if (e instanceof OpenAIIoException) {
                throw ProviderErrors.unreachable("openai", settings.baseUrl(), settings.proxy(), settings.proxyName(), e);
            }
            throw ProviderErrors.unexpected("openai", e);
        }
        return toResponse(text.toString(), calls, finish[0], usage[0]);
    }

    private static ModelResponse toResponse(String text, Map<Long, PartialCall> partials, String finish, Usage usage) {
        ArrayNode content = JsonNodeFactory.instance.arrayNode();
        if (!text.isEmpty()) {
            content.addObject().put("type", "text").put("text", text);
        }
        List<ToolCall> calls = new ArrayList<>();
        int n = 0;
        for (PartialCall p : partials.values()) {
            String id = p.id == null ? "call_" + n : p.id;
            n++;
            JsonNode input = OpenAiMessages.parseArguments(p.arguments.toString());
            ObjectNode block = content.addObject();
            block.put("type", "tool_use");
            block.put("id", id);
            block.put("name", p.name == null ? "" : p.name);
            block.set("input", input);
            calls.add(new ToolCall(id, p.name == null ? "" : p.name, input));
        }
        return new ModelResponse(content, calls, OpenAiMessages.stopReason(finish, !calls.isEmpty()), usage);
    }

    /** Compatible servers stream reasoning as {@code reasoning_content} (vLLM, DeepSeek) or {@code reasoning} (Ollama). */
    private static java.util.Optional<String> reasoning(ChatCompletionChunk.Choice.Delta delta) {
        for (String key : List.of("reasoning_content", "reasoning")) {
            JsonValue v = delta._additionalProperties().get(key);
            if (v != null) {
                if (v.asString().orElse(null) instanceof String s && !s.isEmpty()) {
                    return java.util.Optional.of(s);
                }
            }
        }
        return java.util.Optional.empty();
    }

    private JsonNode bodyOf(OpenAIServiceException e) {
        try {
            return sdkJson.valueToTree(e.body());
        } catch (RuntimeException ignored) {
            return null;
        }
    }

    @Override
    public void close() {
        client.close();
    }

    private static final class PartialCall {
        String id;
        String name;
        final StringBuilder arguments = new StringBuilder();
    }
}
