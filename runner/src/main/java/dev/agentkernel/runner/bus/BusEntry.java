package dev.agentkernel.runner.bus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** One line of the log: {@code {"position","timestamp","type","payload"}}; positions start at 0 and never repeat. */
public record BusEntry(long position, String timestamp, String type, JsonNode payload) {
    public static final String INFERENCE_INPUT = "inference_input";
    public static final String INFERENCE_OUTPUT = "inference_output";
    public static final String INTENTION = "intention";
    public static final String VOTE = "vote";
    public static final String DECISION = "decision";
    public static final String ACTION_OUTPUT = "action_output";

    public ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("position", position);
        node.put("timestamp", timestamp);
        node.put("type", type);
        node.set("payload", payload);
        return node;
    }

    static BusEntry fromJson(JsonNode node) {
        JsonNode position = node.get("position");
        JsonNode type = node.get("type");
        if (position == null || !position.canConvertToLong() || type == null || !type.isTextual()) {
            throw new IllegalArgumentException("not a bus entry: " + node);
        }
        return new BusEntry(position.longValue(), node.path("timestamp").asText(), type.asText(), node.path("payload"));
    }
}
