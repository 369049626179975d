package dev.agentkernel.runner.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.runner.model.ChatMessage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Parses a {@code POST /turn} body; anything malformed is rejected with a message showing the expected shape. */
final class TurnRequestParser {
    static final String EXPECTED = "the body must be JSON like {\"messages\":[{\"role\":\"user\",\"content\":\"...\"}]} "
            + "(content: a string or a list of content blocks)";

    private TurnRequestParser() {}

    /** @throws IllegalArgumentException with a message fit for a 400 answer */
    static List<ChatMessage> parse(byte[] body) {
        JsonNode root;
        try {
            root = Protocol.json().readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed turn request, not JSON: " + EXPECTED);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("malformed turn request, not a JSON object: " + EXPECTED);
        }
        JsonNode messages = root.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new IllegalArgumentException("malformed turn request, \"messages\" is missing or empty: " + EXPECTED);
        }
        List<ChatMessage> parsed = new ArrayList<>();
        int i = 0;
        for (JsonNode m : messages) {
            try {
                ChatMessage message = ChatMessage.fromJson(m);
                if (message.content().isArray() && message.content().isEmpty()) {
                    throw new IllegalArgumentException("content is an empty list");
                }
                parsed.add(message);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("malformed turn request, messages[" + i + "]: " + e.getMessage() + "; " + EXPECTED);
            }
            i++;
        }
        return parsed;
    }
}
