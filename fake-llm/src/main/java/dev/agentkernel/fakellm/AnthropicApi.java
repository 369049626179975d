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

/** The Anthropic Messages API ({@code POST /v1/messages}), streaming and not. */
final class AnthropicApi implements Provider {

    @Override
    public String requestIdHeader() {
        return "request-id";
    }

    @Override
    public String newRequestId() {
        return Ids.of("req_", 24);
    }

    @Override
    public Optional<ApiError> checkAuth(Headers headers) {
        String key = headers.getFirst("x-api-key");
        if (key == null || key.isBlank()) {
            key = Provider.bearer(headers).orElse(null);
        }
        if (key == null || key.isBlank()) {
            return Optional.of(new ApiError(401, "x-api-key header is required"));
        }
        if (FakeLlmServer.BAD_KEY.equals(key.strip())) {
            return Optional.of(new ApiError(401, "invalid x-api-key"));
        }
        return Optional.empty();
    }

    @Override
    public ScriptedConversation read(JsonNode body) throws BadRequestException {
        String model = Provider.requireModel(body);
        if (!body.path("max_tokens").canConvertToLong()) {
            throw new BadRequestException("max_tokens: Field required; send \"max_tokens\": <positive integer>");
        }
        JsonNode messages = Provider.requireMessages(body);
        String latestText = "";
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.get(i);
            if ("user".equals(m.path("role").asText()) && Json.hasTextBlock(m.path("content"))) {
                latestText = Json.text(m.path("content"));
                break;
            }
        }
        List<BashToolPicker.Declared> tools = new ArrayList<>();
        for (JsonNode t : body.path("tools")) {
            tools.add(new BashToolPicker.Declared(t.path("name").asText(), t.path("input_schema")));
        }
        JsonNode thinking = body.path("thinking");
        return new ScriptedConversation(model, latestText, toolResults(messages.get(messages.size() - 1)),
                BashToolPicker.pick(tools), "enabled".equals(thinking.path("type").asText()),
                body.path("stream").asBoolean(false), false, Math.max(1, Json.write(body).length() / 4));
    }

    /** Joined outputs when the last message is a user message of {@code tool_result} blocks, else null. */
    private static String toolResults(JsonNode last) {
        if (!"user".equals(last.path("role").asText()) || !last.path("content").isArray()) {
            return null;
        }
        List<String> outputs = new ArrayList<>();
        for (JsonNode block : last.path("content")) {
            if ("tool_result".equals(block.path("type").asText())) {
                outputs.add(Json.text(block.path("content")));
            }
        }
        return outputs.isEmpty() ? null : String.join("\n", outputs);
    }

    @Override
    public ObjectNode errorBody(ApiError error, String requestId) {
        ObjectNode body = Json.object().put("type", "error");
        body.putObject("error").put("type", errorType(error.status())).put("message", error.message());
        body.put("request_id", requestId);
        return body;
    }

    static String errorType(int status) {
        return switch (status) {
            case 400 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 504 -> "timeout_error";
            case 529 -> "overloaded_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }

    @Override
    public Map<String, String> errorHeaders(ApiError error) {
        return error.status() == 429 || error.status() == 529 ? Map.of("retry-after", "0") : Map.of();
    }

    @Override
    public ObjectNode complete(Reply reply, ScriptedConversation conversation) {
        ObjectNode message = messageShell(conversation);
        ArrayNode content = message.putArray("content");
        if (!reply.thinkingDeltas().isEmpty()) {
            content.addObject().put("type", "thinking").put("thinking", reply.thinking()).put("signature", Ids.signature());
        }
        if (!reply.textDeltas().isEmpty() || !reply.usesTools()) {
            content.addObject().put("type", "text").put("text", reply.text());
        }
        for (Reply.ToolCall call : reply.toolCalls()) {
            content.addObject().put("type", "tool_use").put("id", Ids.of("toolu_", 24))
                    .put("name", call.name()).set("input", call.input());
        }
        message.put("stop_reason", stopReason(reply));
        message.set("usage", usage(conversation.inputTokens(), reply.outputTokens()));
        return message;
    }

    @Override
    public void stream(Reply reply, ScriptedConversation conversation, SseWriter out) throws IOException, InterruptedException {
        ObjectNode message = messageShell(conversation);
        message.set("usage", usage(conversation.inputTokens(), 1));
        out.event("message_start", Json.object().put("type", "message_start").set("message", message));
        Blocks blocks = new Blocks(out);
        if (!reply.thinkingDeltas().isEmpty()) {
            blocks.start(Json.object().put("type", "thinking").put("thinking", "").put("signature", ""));
            for (String piece : reply.thinkingDeltas()) {
                out.pause();
                blocks.delta(Json.object().put("type", "thinking_delta").put("thinking", piece));
            }
            // The real API sends the signature as one delta just before the block stops.
            blocks.delta(Json.object().put("type", "signature_delta").put("signature", Ids.signature()));
            blocks.stop();
        }
        if (!reply.textDeltas().isEmpty() || !reply.usesTools()) {
            blocks.start(Json.object().put("type", "text").put("text", ""));
            for (String piece : reply.textDeltas()) {
                out.pause();
                blocks.delta(Json.object().put("type", "text_delta").put("text", piece));
            }
            blocks.stop();
        }
        for (Reply.ToolCall call : reply.toolCalls()) {
            blocks.start(Json.object().put("type", "tool_use").put("id", Ids.of("toolu_", 24))
                    .put("name", call.name()).set("input", Json.object()));
            // Like the real API: an empty first piece, then JSON cut mid-token.
            blocks.delta(Json.object().put("type", "input_json_delta").put("partial_json", ""));
            for (String piece : Chunking.partialJson(Json.write(call.input()))) {
                out.pause();
                blocks.delta(Json.object().put("type", "input_json_delta").put("partial_json", piece));
            }
            blocks.stop();
        }
        ObjectNode delta = Json.object().put("type", "message_delta");
        delta.putObject("delta").put("stop_reason", stopReason(reply)).putNull("stop_sequence");
        delta.putObject("usage").put("output_tokens", reply.outputTokens());
        out.event("message_delta", delta);
        out.event("message_stop", Json.object().put("type", "message_stop"));
    }

    /** Numbers content blocks and sends the one {@code ping} after the first block starts, as the API does. */
    private static final class Blocks {
        private final SseWriter out;
        private int index = -1;

        Blocks(SseWriter out) {
            this.out = out;
        }

        void start(ObjectNode block) throws IOException {
            index++;
            out.event("content_block_start", Json.object().put("type", "content_block_start")
                    .put("index", index).set("content_block", block));
            if (index == 0) {
                out.event("ping", Json.object().put("type", "ping"));
            }
        }

        void delta(ObjectNode delta) throws IOException {
            out.event("content_block_delta", Json.object().put("type", "content_block_delta")
                    .put("index", index).set("delta", delta));
        }

        void stop() throws IOException {
            out.event("content_block_stop", Json.object().put("type", "content_block_stop").put("index", index));
        }
    }

    private static ObjectNode messageShell(ScriptedConversation conversation) {
        ObjectNode message = Json.object()
                .put("id", Ids.of("msg_", 24))
                .put("type", "message")
                .put("role", "assistant")
                .put("model", conversation.model());
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        return message;
    }

    private static String stopReason(Reply reply) {
        return reply.usesTools() ? "tool_use" : "end_turn";
    }

    private static ObjectNode usage(long input, long output) {
        ObjectNode usage = Json.object()
                .put("input_tokens", input)
                .put("cache_creation_input_tokens", 0)
                .put("cache_read_input_tokens", 0);
        usage.putObject("cache_creation").put("ephemeral_5m_input_tokens", 0).put("ephemeral_1h_input_tokens", 0);
        usage.put("output_tokens", output).put("service_tier", "standard");
        return usage;
    }
}
