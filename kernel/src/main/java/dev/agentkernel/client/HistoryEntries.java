package dev.agentkernel.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.HistoryEntry;

import java.util.ArrayList;
import java.util.List;

/** Flattens the runner's history messages (string or content blocks) into readable text. */
public final class HistoryEntries {
    private HistoryEntries() {}

    public static List<HistoryEntry> parse(JsonNode array) {
        List<HistoryEntry> out = new ArrayList<>();
        if (array == null || !array.isArray()) return out;
        for (JsonNode message : array) {
            out.add(new HistoryEntry(message.path("role").asText(""), flatten(message.get("content")), message));
        }
        return out;
    }

    /** Text blocks as they are; tool calls, tool results and thinking summarised in brackets. */
    public static String flatten(JsonNode content) {
        if (content == null || content.isNull()) return "";
        if (content.isTextual()) return content.asText();
        if (!content.isArray()) return content.toString();
        List<String> parts = new ArrayList<>();
        for (JsonNode block : content) {
            if (block.isTextual()) {
                parts.add(block.asText());
                continue;
            }
            String type = block.path("type").asText("");
            switch (type) {
                case "text" -> parts.add(block.path("text").asText(""));
                case "tool_use" -> parts.add("[tool_use " + block.path("name").asText("?") + " " + block.path("input") + "]");
                case "tool_result" -> parts.add("[tool_result" + (block.path("is_error").asBoolean(false) ? " error" : "")
                        + ": " + flatten(block.get("content")) + "]");
                case "thinking" -> parts.add("[thinking: " + block.path("thinking").asText("") + "]");
                default -> parts.add("[" + (type.isEmpty() ? "block" : type) + "]");
            }
        }
        return String.join("\n", parts);
    }
}
