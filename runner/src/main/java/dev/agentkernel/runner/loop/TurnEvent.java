package dev.agentkernel.runner.loop;

import dev.agentkernel.runner.model.Usage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.protocol.Protocol;

/**
 * One SSE event of a turn: its name and its {@code data} object, always of the TurnResponse shape
 * {@code {"body","done","error"}} plus the event's extra fields (protocol.md). Only {@code text} and
 * {@code thinking} put anything in {@code body}, so a client that reads just {@code body} sees the answer.
 */
public record TurnEvent(String name, ObjectNode data) {

    public boolean terminal() {
        return Protocol.EVENT_DONE.equals(name) || Protocol.EVENT_ERROR.equals(name);
    }

    public static TurnEvent text(String piece) {
        return new TurnEvent(Protocol.EVENT_TEXT, base(piece, false, null));
    }

    public static TurnEvent thinking(String piece) {
        return new TurnEvent(Protocol.EVENT_THINKING, base(piece, false, null));
    }

    public static TurnEvent toolUse(String tool, String id, JsonNode input) {
        ObjectNode data = base("", false, null);
        data.put("tool", tool);
        data.put("id", id);
        data.set("input", input == null ? JsonNodeFactory.instance.objectNode() : input.deepCopy());
        return new TurnEvent(Protocol.EVENT_TOOL_USE, data);
    }

    public static TurnEvent toolResult(String id, String output, boolean isError) {
        ObjectNode data = base("", false, null);
        data.put("id", id);
        data.put("output", output);
        data.put("is_error", isError);
        return new TurnEvent(Protocol.EVENT_TOOL_RESULT, data);
    }

    public static TurnEvent error(String message) {
        return new TurnEvent(Protocol.EVENT_ERROR, base("", true, message));
    }

    public static TurnEvent done(String stopReason, Usage usage) {
        ObjectNode data = base("", true, null);
        data.put("stop_reason", stopReason);
        ObjectNode u = data.putObject("usage");
        u.put("input_tokens", usage.inputTokens());
        u.put("output_tokens", usage.outputTokens());
        return new TurnEvent(Protocol.EVENT_DONE, data);
    }

    private static ObjectNode base(String body, boolean done, String error) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("body", body);
        data.put("done", done);
        if (error == null) {
            data.putNull("error");
        } else {
            data.put("error", error);
        }
        return data;
    }
}
