package dev.agentkernel.runner.llm;

import dev.agentkernel.runner.model.ToolCall;
import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.ObjectMappers;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicIoException;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.MessageParam;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.ThinkingConfigEnabled;
import com.anthropic.models.messages.Tool;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.runner.model.Cancellation;
import dev.agentkernel.runner.model.ChatMessage;
import dev.agentkernel.runner.model.TurnCancelledException;
import dev.agentkernel.runner.model.Usage;
import dev.agentkernel.runner.model.ToolSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The Anthropic Messages API through the official SDK, streaming. The conversation is already in Anthropic
 * form, so messages and tools are handed to the SDK through its own JSON mapper instead of builder trees.
 */
final class AnthropicProvider implements LlmProvider {
    /** Output room for the answer itself; thinking budgets come on top, since max_tokens must exceed them. */
    static final int ANSWER_TOKENS = 8192;

    private final ProviderSettings settings;
    private final AnthropicClient client;
    /**
     * One SDK mapper per JVM, for our conversions and the client's own (de)serialisation: its serializer and
     * deserializer caches are most of a first turn's cost, so what the warm-up rehearsal fills must be what the
     * agent's client uses, also when the agent was claimed from a standby whose rehearsal ran on another client.
     * Jackson mappers are thread-safe; a runner has one agent.
     */
    private static final JsonMapper SDK_JSON = ObjectMappers.jsonMapper();
    private final JsonMapper sdkJson = SDK_JSON;
    private final ConversionCache<ChatMessage, MessageParam> messages = new ConversionCache<>();
    private final ConversionCache<ToolSpec, Tool> tools = new ConversionCache<>();
    /**
     * The SDK's own parameter form of the latest answer, with the content node the loop stores that answer
     * under: the next request sends it as it is instead of converting the stored JSON back.
     */
    private volatile Answer lastAnswer;

    private record Answer(JsonNode content, MessageParam param) {}

    AnthropicProvider(ProviderSettings settings) {
        this.settings = settings;
        AnthropicOkHttpClient.Builder builder = AnthropicOkHttpClient.builder()
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

    MessageCreateParams params(ModelRequest request) {
        int budget = settings.thinking().budgetTokens();
        MessageCreateParams.Builder params = MessageCreateParams.builder()
                .model(settings.model())
                .maxTokens(budget + ANSWER_TOKENS);
        if (!request.systemPrompt().isBlank()) {
            params.system(request.systemPrompt());
        }
        messages.convertAll(request.messages(), this::toParam).forEach(params::addMessage);
        tools.convertAll(request.tools(), spec -> {
            ObjectNode tool = JsonNodeFactory.instance.objectNode();
            tool.put("name", spec.name());
            tool.put("description", spec.description());
            tool.set("input_schema", spec.inputSchema());
            return sdkJson.convertValue(tool, Tool.class);
        }).forEach(params::addTool);
        if (budget > 0) {
            params.thinking(ThinkingConfigEnabled.builder().budgetTokens(budget).build());
        }
        return params.build();
    }

    /**
     * A conversation message as the SDK's parameter. Each message is converted once (see {@link ConversionCache}),
     * but every turn brings two new ones, and the SDK's Kotlin-aware Jackson mapper is slow until the JIT has
     * seen it many times, so the common shapes skip it: the model's last answer is the SDK's own
     * {@code Message.toParam()}, which the stored JSON was made from, and plain text is built directly.
     */
    private MessageParam toParam(ChatMessage message) {
        Answer answer = lastAnswer;
        if (answer != null && answer.content() == message.content()) {
            return answer.param();
        }
        if (message.content().isTextual()) {
            return MessageParam.builder()
                    .role(ChatMessage.USER.equals(message.role()) ? MessageParam.Role.USER : MessageParam.Role.ASSISTANT)
                    .content(message.content().asText())
                    .build();
        }
        return sdkJson.convertValue(message.toJson(), MessageParam.class);
    }

    @Override
    public void rehearse(ModelRequest sample, String baseUrl) {
        // the same JSON mapper (its serializer and deserializer caches are the first turn's cost), a direct HTTP
        // client: the agent's own may go through a proxy that cannot reach this process's loopback
        com.anthropic.client.okhttp.OkHttpClient direct = com.anthropic.client.okhttp.OkHttpClient.builder()
                .backend(com.anthropic.backends.AnthropicBackend.builder().apiKey(Providers.REHEARSAL_KEY).baseUrl(baseUrl).build())
                .build();
        try {
            complete(client.withOptions(o -> o.baseUrl(baseUrl).httpClient(direct).maxRetries(0)), sample,
                    StreamListener.NONE, new Cancellation());
        } finally {
            direct.close();
            lastAnswer = null;
        }
    }

    @Override
    public ModelResponse complete(ModelRequest request, StreamListener listener, Cancellation cancellation) {
        return complete(client, request, listener, cancellation);
    }

    private ModelResponse complete(AnthropicClient client, ModelRequest request, StreamListener listener, Cancellation cancellation) {
        MessageCreateParams params = params(request);
        boolean forwardThinking = settings.thinking() != ThinkingLevel.NONE;
        cancellation.throwIfCancelled();
        try (StreamResponse<RawMessageStreamEvent> stream = cancellation.open(() -> client.messages().createStreaming(params));
             Cancellation.Registration ignored = cancellation.register(stream::close)) {
            MessageAccumulator accumulator = MessageAccumulator.create();
            stream.stream().forEach(event -> {
                accumulator.accumulate(event);
                event.contentBlockDelta().ifPresent(d -> {
                    d.delta().text().ifPresent(t -> listener.onText(t.text()));
                    if (forwardThinking) {
                        d.delta().thinking().ifPresent(t -> listener.onThinking(t.thinking()));
                    }
                });
            });
            cancellation.throwIfCancelled();
            return toResponse(accumulator.message());
        } catch (TurnCancelledException e) {
            throw e;
        } catch (AnthropicServiceException e) {
            if (cancellation.isCancelled()) {
                throw new TurnCancelledException();
            }
            JsonNode body = bodyOf(e);
            throw ProviderErrors.fromStatus("anthropic", e.statusCode(), body, e.getMessage(), settings.maxRetries(), e);
        } catch (RuntimeException e) {
            if (cancellation.isCancelled()) {
                throw new TurnCancelledException();
            }
            if (e instanceof AnthropicIoException) {
                throw ProviderErrors.unreachable("anthropic", settings.baseUrl(), settings.proxy(), settings.proxyName(), e);
            }
            throw ProviderErrors.unexpected("anthropic", e);
        }
    }

    private ModelResponse toResponse(Message message) {
        MessageParam sdkParam = message.toParam();
        JsonNode param = sdkJson.valueToTree(sdkParam);
        ArrayNode content = param.get("content") instanceof ArrayNode a ? a : JsonNodeFactory.instance.arrayNode();
        lastAnswer = new Answer(content, sdkParam);
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode block : content) {
            if ("tool_use".equals(block.path("type").asText())) {
                calls.add(new ToolCall(block.path("id").asText(), block.path("name").asText(), block.path("input")));
            }
        }
        String stop = message.stopReason().map(r -> r.asString()).orElse(calls.isEmpty() ? "end_turn" : "tool_use");
        Usage usage = new Usage(message.usage().inputTokens(), message.usage().outputTokens());
        return new ModelResponse(content, calls, stop, usage);
    }

    private JsonNode bodyOf(AnthropicServiceException e) {
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
}
