package dev.agentkernel.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.TurnResponse;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.protocol.TurnEventData;

/** Turns one SSE event of the turn protocol into a {@link TurnResponse}. */
public final class TurnResponses {
    private TurnResponses() {}

    /**
     * {@code event} is the SSE event name (null or "message" when the runner sent none); {@code data}
     * the JSON payload. An unreadable payload becomes a final error chunk rather than an exception,
     * so a broken runner cannot leave the caller's loop hanging.
     */
    public static TurnResponse parse(String event, String data) {
        String name = event == null || event.isEmpty() || event.equals("message") ? null : event;
        JsonNode node;
        try {
            node = Protocol.json().readTree(data == null ? "" : data);
        } catch (Exception e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            return new TurnResponse(Protocol.EVENT_ERROR, null,
                    "the agent sent an event that is not a JSON object (" + abbreviate(data) + "); the runner may be out of date", true, node);
        }
        String body = TurnEventData.body(node);
        String error = TurnEventData.error(node);
        boolean done = TurnEventData.done(node);
        if (Protocol.EVENT_ERROR.equals(name)) {
            done = true;
            if (error == null) error = body != null ? body : "the agent reported an error without a message";
        }
        if (Protocol.EVENT_DONE.equals(name)) done = true;
        if (name == null) name = error != null ? Protocol.EVENT_ERROR : done ? Protocol.EVENT_DONE : Protocol.EVENT_TEXT;
        return new TurnResponse(name, body, error, done || error != null, node);
    }

    /** The final chunk the client makes up when the stream ends without one. */
    public static TurnResponse lost(String message) {
        return new TurnResponse(Protocol.EVENT_ERROR, null, message, true,
                Protocol.json().createObjectNode().put(TurnEventData.ERROR, message).put(TurnEventData.DONE, true));
    }

    private static String abbreviate(String s) {
        if (s == null) return "empty";
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
