package dev.agentkernel.runner.loop;

import dev.agentkernel.runner.model.Usage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.protocol.TurnEventData;

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
        return new TurnEvent(Protocol.EVENT_TEXT, TurnEventData.piece(piece));
    }

    public static TurnEvent thinking(String piece) {
        return new TurnEvent(Protocol.EVENT_THINKING, TurnEventData.piece(piece));
    }

    public static TurnEvent toolUse(String tool, String id, JsonNode input) {
        return new TurnEvent(Protocol.EVENT_TOOL_USE, TurnEventData.toolUse(tool, id, input));
    }

    public static TurnEvent toolResult(String id, String output, boolean isError) {
        return new TurnEvent(Protocol.EVENT_TOOL_RESULT, TurnEventData.toolResult(id, output, isError));
    }

    public static TurnEvent error(String message) {
        return new TurnEvent(Protocol.EVENT_ERROR, TurnEventData.error(message));
    }

    public static TurnEvent done(String stopReason, Usage usage) {
        return new TurnEvent(Protocol.EVENT_DONE, TurnEventData.done(stopReason, usage.inputTokens(), usage.outputTokens()));
    }
}
