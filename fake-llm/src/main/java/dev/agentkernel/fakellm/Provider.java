package dev.agentkernel.fakellm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/** One LLM wire format: how to read its requests and render answers and errors in it. */
interface Provider {

    /** The header carrying the request id on every answer ({@code request-id}, {@code x-request-id}). */
    String requestIdHeader();

    String newRequestId();

    /** A 401 error when the request carries no usable API key. */
    Optional<ApiError> checkAuth(Headers headers);

    ScriptedConversation read(JsonNode body) throws BadRequestException;

    ObjectNode errorBody(ApiError error, String requestId);

    /** Extra headers of an error answer, e.g. {@code retry-after: 0} so SDK retries are immediate. */
    Map<String, String> errorHeaders(ApiError error);

    /** The non-streaming answer. */
    ObjectNode complete(Reply reply, ScriptedConversation conversation);

    /** Streams the answer; the caller has already sent {@code 200 text/event-stream}. */
    void stream(Reply reply, ScriptedConversation conversation, SseWriter out) throws IOException, InterruptedException;

    /** The API key from {@code Authorization: Bearer KEY}, if any. */
    static Optional<String> bearer(Headers headers) {
        String auth = headers.getFirst("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String key = auth.substring(7).strip();
            return key.isEmpty() ? Optional.empty() : Optional.of(key);
        }
        return Optional.empty();
    }

    static String requireModel(JsonNode body) throws BadRequestException {
        JsonNode model = body.path("model");
        if (!model.isTextual() || model.asText().isBlank()) {
            throw new BadRequestException("model: Field required; send \"model\": \"<model name>\" in the request body");
        }
        return model.asText();
    }

    static JsonNode requireMessages(JsonNode body) throws BadRequestException {
        JsonNode messages = body.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            throw new BadRequestException("messages: Field required; send a non-empty \"messages\" array, "
                    + "e.g. [{\"role\": \"user\", \"content\": \"hello\"}]");
        }
        for (JsonNode m : messages) {
            if (!m.path("role").isTextual()) {
                throw new BadRequestException("messages: every message needs a \"role\" string, got " + Json.write(m));
            }
        }
        return messages;
    }
}
