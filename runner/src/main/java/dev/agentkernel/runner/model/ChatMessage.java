package dev.agentkernel.runner.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One conversation message in Anthropic Messages form: {@code role} plus {@code content}, a string or a list
 * of content blocks (text, tool_use, tool_result, thinking). It is also the history line and the
 * {@code /history} entry, so the three never drift apart.
 */
public record ChatMessage(String role, JsonNode content) {
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";

    public ChatMessage {
        if (!USER.equals(role) && !ASSISTANT.equals(role)) {
            throw new IllegalArgumentException("role must be \"user\" or \"assistant\", got " + role);
        }
        if (content == null || !(content.isTextual() || content.isArray())) {
            throw new IllegalArgumentException("content must be a string or a list of content blocks");
        }
    }

    public static ChatMessage userText(String text) {
        return new ChatMessage(USER, JsonNodeFactory.instance.textNode(text));
    }

    public ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("role", role);
        node.set("content", content.deepCopy());
        return node;
    }

    /** Parses {@code {"role":..,"content":..}}; the message of the exception says what was wrong. */
    public static ChatMessage fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("a message must be a JSON object {\"role\":\"user\",\"content\":\"...\"}");
        }
        JsonNode role = node.get("role");
        if (role == null || !role.isTextual()) {
            throw new IllegalArgumentException("a message needs a \"role\" (\"user\" or \"assistant\")");
        }
        JsonNode content = node.get("content");
        if (content == null || content.isNull()) {
            throw new IllegalArgumentException("a message needs a \"content\" (a string or a list of content blocks)");
        }
        return new ChatMessage(role.asText(), content);
    }

    /** The message's plain text (text blocks joined), for logs and tests. */
    public String text() {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode block : content) {
            if ("text".equals(block.path("type").asText())) {
                sb.append(block.path("text").asText());
            }
        }
        return sb.toString();
    }
}
