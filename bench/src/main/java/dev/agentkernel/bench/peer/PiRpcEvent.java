package dev.agentkernel.bench.peer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.protocol.Protocol;

/**
 * One line of the peer's RPC output (JSON lines, docs/rpc.md of the package), reduced to what the benchmark reads:
 * command responses, text deltas, and the end of a prompt's run.
 *
 * @param type    the record's {@code type} ({@code response}, {@code message_update}, {@code agent_end}, ...)
 * @param command for a response: the command it answers
 * @param success for a response: whether the command was accepted
 * @param error   for a failed response: its error text
 * @param delta   for a text delta: the new text, else null
 * @param text    for {@code agent_end}: the last assistant message's text, else null
 */
public record PiRpcEvent(String type, String command, boolean success, String error, String delta, String text) {

    public boolean isResponse(String toCommand) { return "response".equals(type) && toCommand.equals(command); }

    public boolean isTextDelta() { return delta != null; }

    public boolean isAgentEnd() { return "agent_end".equals(type); }

    /**
     * Parses one record.
     *
     * @throws IllegalArgumentException for a line that is not a JSON object with a type
     */
    public static PiRpcEvent parse(String line) {
        JsonNode node;
        try {
            node = Protocol.json().readTree(line);
        } catch (Exception e) {
            throw new IllegalArgumentException("the peer printed a line that is not JSON: " + abbreviate(line), e);
        }
        if (node == null || !node.isObject() || !node.path("type").isTextual()) {
            throw new IllegalArgumentException("the peer printed a record without a type: " + abbreviate(line));
        }
        String type = node.get("type").asText();
        String delta = null;
        JsonNode event = node.path("assistantMessageEvent");
        if ("message_update".equals(type) && "text_delta".equals(event.path("type").asText())) {
            delta = event.path("delta").asText("");
        }
        String text = null;
        if ("agent_end".equals(type)) text = lastAssistantText(node.path("messages"));
        return new PiRpcEvent(type, node.path("command").asText(null), node.path("success").asBoolean(false),
                node.path("error").isMissingNode() ? null : node.path("error").asText(), delta, text);
    }

    private static String lastAssistantText(JsonNode messages) {
        String text = "";
        for (JsonNode m : messages) {
            if (!"assistant".equals(m.path("role").asText())) continue;
            StringBuilder sb = new StringBuilder();
            for (JsonNode block : m.path("content")) {
                if ("text".equals(block.path("type").asText())) sb.append(block.path("text").asText());
            }
            text = sb.toString();
        }
        return text;
    }

    private static String abbreviate(String line) {
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
