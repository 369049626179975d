package dev.agentkernel.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** One line of the log: {@code {"position","timestamp","type","payload"}}; positions start at 0 and never repeat. */
public record BusLogEntry(long position, String timestamp, String type, JsonNode payload) {
    public static final String INFERENCE_INPUT = "inference_input";
    public static final String INFERENCE_OUTPUT = "inference_output";
    public static final String INTENTION = "intention";
    public static final String VOTE = "vote";
    public static final String DECISION = "decision";
    public static final String ACTION_OUTPUT = "action_output";

    /** The entry's fields on the wire ({@code GET /bus/{bus_id}/entries}) and in the log file. */
    public static final String POSITION = "position", TIMESTAMP = "timestamp", TYPE = "type", PAYLOAD = "payload";
    /** The payload field that ties an intention, its votes, its decision and its output together. */
    public static final String INTENTION_ID = "intention_id";

    public ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put(POSITION, position);
        node.put(TIMESTAMP, timestamp);
        node.put(TYPE, type);
        node.set(PAYLOAD, payload);
        return node;
    }

    /** Reads one entry as the bus serves it; throws {@link IllegalArgumentException} when it has no position or type. */
    public static BusLogEntry fromJson(JsonNode node) {
        JsonNode position = node.get(POSITION);
        JsonNode type = node.get(TYPE);
        if (position == null || !position.canConvertToLong() || type == null || !type.isTextual()) {
            throw new IllegalArgumentException("not a bus entry: " + node);
        }
        return new BusLogEntry(position.longValue(), node.path(TIMESTAMP).asText(), type.asText(), node.path(PAYLOAD));
    }
}
