package dev.agentkernel.fakellm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The OpenAI Chat Completions API ({@code POST /v1/chat/completions}), streaming and not. */
final class OpenAiApi implements Provider {
    private static final String FINGERPRINT = "fp_fakellm01";

    @Override
    public String requestIdHeader() {
        return "x-request-id";
    }

    @Override
    public String newRequestId() {
        return Ids.of("req_", 32);
    }

    @Override
    public Optional<ApiError> checkAuth(Headers headers) {
        Optional<String> key = Provider.bearer(headers);
        if (key.isEmpty()) {
            return Optional.of(new ApiError(401, "You didn't provide an API key. You need to provide your API key "
                    + "in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."));
        }
        if (FakeLlmServer.BAD_KEY.equals(key.get())) {
            return Optional.of(new ApiError(401, "Incorrect API key provided: " + FakeLlmServer.BAD_KEY
                    + ". You can find your API key at https://platform.openai.com/account/api-keys."));
        }
        return Optional.empty();
    }

    @Override
    public ScriptedConversation read(JsonNode body) throws BadRequestException {
        String model = Provider.requireModel(body);
        JsonNode messages = Provider.requireMessages(body);
        String latestText = "";
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.get(i);
            if ("user".equals(m.path("role").asText()) && Json.hasTextBlock(m.path("content"))) {
                latestText = Json.text(m.path("content"));
                break;
            }
        }
        // The tool results that end the conversation: the trailing run of role "tool" messages.
        List<String> outputs = new ArrayList<>();
        for (int i = messages.size() - 1; i >= 0 && "tool".equals(messages.get(i).path("role").asText()); i--) {
            outputs.addFirst(Json.text(messages.get(i).path("content")));
        }
        List<BashToolPicker.Declared> tools = new ArrayList<>();
        for (JsonNode t : body.path("tools")) {
            JsonNode fn = t.path("function");
            tools.add(new BashToolPicker.Declared(fn.path("name").asText(), fn.path("parameters")));
        }
        return new ScriptedConversation(model, latestText, outputs.isEmpty() ? null : String.join("\n", outputs),
                BashToolPicker.pick(tools), false, body.path("stream").asBoolean(false),
                body.path("stream_options").path("include_usage").asBoolean(false),
                Math.max(1, Json.write(body).length() / 4));
    }

    @Override
    public ObjectNode errorBody(ApiError error, String requestId) {
        ObjectNode body = Json.object();
        ObjectNode e = body.putObject("error").put("message", error.message()).put("type", errorType(error.status()));
        e.putNull("param");
        String code = errorCode(error);
        if (code == null) {
            e.putNull("code");
        } else {
            e.put("code", code);
        }
        return body;
    }

    static String errorType(int status) {
        return switch (status) {
            // The real API says invalid_request_error for 401; the project contract (docs/architecture.md)
            // promises authentication_error from both providers, so callers can match one word.
            case 401 -> "authentication_error";
            case 400, 404 -> "invalid_request_error";
            case 403 -> "permission_error";
            case 429 -> "requests";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    }

    private static String errorCode(ApiError error) {
        return switch (error.status()) {
            case 401 -> error.message().startsWith("Incorrect") ? "invalid_api_key" : null;
            case 403 -> "insufficient_permissions";
            case 404 -> "not_found";
            case 429 -> "rate_limit_exceeded";
            case 503 -> "service_unavailable";
            case 529 -> "overloaded";
            default -> null;
        };
    }

    @Override
    public Map<String, String> errorHeaders(ApiError error) {
        return error.status() == 429 || error.status() == 529 ? Map.of("retry-after", "0") : Map.of();
    }

    @Override
    public ObjectNode complete(Reply reply, ScriptedConversation conversation) {
        ObjectNode body = Json.object()
                .put("id", Ids.of("chatcmpl-", 29))
                .put("object", "chat.completion")
                .put("created", System.currentTimeMillis() / 1000)
                .put("model", conversation.model());
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        if (reply.textDeltas().isEmpty() && reply.usesTools()) {
            message.putNull("content");
        } else {
            message.put("content", reply.text());
        }
        message.putNull("refusal");
        message.putArray("annotations");
        if (reply.usesTools()) {
            ArrayNode calls = message.putArray("tool_calls");
            for (Reply.ToolCall call : reply.toolCalls()) {
                calls.addObject().put("id", Ids.of("call_", 24)).put("type", "function")
                        .putObject("function").put("name", call.name()).put("arguments", Json.write(call.input()));
            }
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(reply));
        body.set("usage", usage(conversation.inputTokens(), reply.outputTokens()));
        body.put("service_tier", "default");
        body.put("system_fingerprint", FINGERPRINT);
        return body;
    }

    @Override
    public void stream(Reply reply, ScriptedConversation conversation, SseWriter out) throws IOException, InterruptedException {
        Chunks chunks = new Chunks(out, Ids.of("chatcmpl-", 29), conversation);
        ObjectNode first = Json.object().put("role", "assistant").put("content", "");
        first.putNull("refusal");
        chunks.send(first, null);
        for (String piece : reply.textDeltas()) {
            out.pause();
            chunks.send(Json.object().put("content", piece), null);
        }
        for (int i = 0; i < reply.toolCalls().size(); i++) {
            Reply.ToolCall call = reply.toolCalls().get(i);
            // The first delta of a call names it; later ones only carry argument pieces.
            ObjectNode head = Json.object().put("index", i).put("id", Ids.of("call_", 24)).put("type", "function");
            head.putObject("function").put("name", call.name()).put("arguments", "");
            chunks.send(toolCallsDelta(head), null);
            for (String piece : Chunking.partialJson(Json.write(call.input()))) {
                out.pause();
                ObjectNode part = Json.object().put("index", i);
                part.putObject("function").put("arguments", piece);
                chunks.send(toolCallsDelta(part), null);
            }
        }
        chunks.send(Json.object(), finishReason(reply));
        if (conversation.includeUsage()) {
            ObjectNode last = chunks.base();
            last.putArray("choices");
            last.set("usage", usage(conversation.inputTokens(), reply.outputTokens()));
            out.data(last);
        }
        out.data("[DONE]");
    }

    private static ObjectNode toolCallsDelta(ObjectNode call) {
        ObjectNode delta = Json.object();
        delta.putArray("tool_calls").add(call);
        return delta;
    }

    /** Builds {@code chat.completion.chunk} objects that share one id, timestamp and model. */
    private static final class Chunks {
        private final SseWriter out;
        private final String id;
        private final long created = System.currentTimeMillis() / 1000;
        private final ScriptedConversation conversation;

        Chunks(SseWriter out, String id, ScriptedConversation conversation) {
            this.out = out;
            this.id = id;
            this.conversation = conversation;
        }

        ObjectNode base() {
            return Json.object().put("id", id).put("object", "chat.completion.chunk").put("created", created)
                    .put("model", conversation.model()).put("service_tier", "default")
                    .put("system_fingerprint", FINGERPRINT);
        }

        void send(ObjectNode delta, String finishReason) throws IOException {
            ObjectNode chunk = base();
            ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
            choice.set("delta", delta);
            choice.putNull("logprobs");
            if (finishReason == null) {
                choice.putNull("finish_reason");
            } else {
                choice.put("finish_reason", finishReason);
            }
            if (conversation.includeUsage()) {
                chunk.putNull("usage"); // the real API marks every chunk but the last this way
            }
            out.data(chunk);
        }
    }

    private static String finishReason(Reply reply) {
        return reply.usesTools() ? "tool_calls" : "stop";
    }

    private static ObjectNode usage(long prompt, long completion) {
        ObjectNode usage = Json.object()
                .put("prompt_tokens", prompt)
                .put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
        usage.putObject("prompt_tokens_details").put("cached_tokens", 0).put("audio_tokens", 0);
        usage.putObject("completion_tokens_details").put("reasoning_tokens", 0).put("audio_tokens", 0)
                .put("accepted_prediction_tokens", 0).put("rejected_prediction_tokens", 0);
        return usage;
    }
}
