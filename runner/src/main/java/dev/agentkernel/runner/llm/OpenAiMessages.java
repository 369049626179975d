package dev.agentkernel.runner.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.runner.model.ChatMessage;
import dev.agentkernel.runner.model.ToolSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * Translates the Anthropic-form conversation into Chat Completions messages (as JSON): tool_use blocks become
 * {@code tool_calls}, tool_result blocks become {@code role: tool} messages, thinking blocks are dropped.
 */
final class OpenAiMessages {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private OpenAiMessages() {}

    static List<ObjectNode> toChat(String systemPrompt, List<ChatMessage> messages) {
        List<ObjectNode> out = new ArrayList<>();
        if (systemPrompt != null && !systemPrompt.isBlank()) {
            out.add(message("system", systemPrompt));
        }
        for (ChatMessage m : messages) {
            if (m.content().isTextual()) {
                out.add(message(m.role(), m.content().asText()));
            } else if (ChatMessage.ASSISTANT.equals(m.role())) {
                out.add(assistant(m.content()));
            } else {
                user(m.content(), out);
            }
        }
        return out;
    }

    private static ObjectNode assistant(JsonNode blocks) {
        StringBuilder text = new StringBuilder();
        ArrayNode calls = F.arrayNode();
        for (JsonNode block : blocks) {
            switch (block.path("type").asText()) {
                case "text" -> text.append(block.path("text").asText());
                case "tool_use" -> {
                    ObjectNode call = calls.addObject();
                    call.put("id", block.path("id").asText());
                    call.put("type", "function");
                    ObjectNode fn = call.putObject("function");
                    fn.put("name", block.path("name").asText());
                    fn.put("arguments", block.path("input").isMissingNode() ? "{}" : block.path("input").toString());
                }
                default -> { } // thinking has no Chat Completions form
            }
        }
        ObjectNode msg = F.objectNode();
        msg.put("role", "assistant");
        if (text.isEmpty()) {
            msg.putNull("content");
        } else {
            msg.put("content", text.toString());
        }
        if (!calls.isEmpty()) {
            msg.set("tool_calls", calls);
        }
        return msg;
    }

    /** Tool results first (they must follow the assistant's calls), then any text of the same user message. */
    private static void user(JsonNode blocks, List<ObjectNode> out) {
        StringBuilder text = new StringBuilder();
        for (JsonNode block : blocks) {
            switch (block.path("type").asText()) {
                case "tool_result" -> {
                    ObjectNode tool = F.objectNode();
                    tool.put("role", "tool");
                    tool.put("tool_call_id", block.path("tool_use_id").asText());
                    tool.put("content", flatten(block.path("content")));
                    out.add(tool);
                }
                case "text" -> text.append(text.isEmpty() ? "" : "\n").append(block.path("text").asText());
                default -> { }
            }
        }
        if (!text.isEmpty()) {
            out.add(message("user", text.toString()));
        }
    }

    private static String flatten(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode block : content) {
            sb.append(block.path("text").asText());
        }
        return sb.toString();
    }

    private static ObjectNode message(String role, String content) {
        ObjectNode msg = F.objectNode();
        msg.put("role", role);
        msg.put("content", content);
        return msg;
    }

    static ObjectNode tool(ToolSpec spec) {
        ObjectNode tool = F.objectNode();
        tool.put("type", "function");
        ObjectNode fn = tool.putObject("function");
        fn.put("name", spec.name());
        fn.put("description", spec.description());
        fn.set("parameters", spec.inputSchema());
        return tool;
    }

    /** The model's arguments string as JSON; a model that wrote broken JSON gets it back as a string to fix. */
    static JsonNode parseArguments(String arguments) {
        if (arguments == null || arguments.isBlank()) {
            return F.objectNode();
        }
        try {
            JsonNode node = Protocol.json().readTree(arguments);
            return node == null ? F.objectNode() : node;
        } catch (Exception e) {
            ObjectNode raw = F.objectNode();
            raw.put("_unparsed_arguments", arguments);
            return raw;
        }
    }

    /** Chat Completions finish reasons under the Anthropic names the protocol's done event uses. */
    static String stopReason(String finishReason, boolean hasToolCalls) {
        if (finishReason == null) {
            return hasToolCalls ? "tool_use" : "end_turn";
        }
        return switch (finishReason) {
            case "stop" -> "end_turn";
            case "tool_calls", "function_call" -> "tool_use";
            case "length" -> "max_tokens";
            default -> finishReason;
        };
    }
}
