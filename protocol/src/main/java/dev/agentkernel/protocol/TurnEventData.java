package dev.agentkernel.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON payload of one turn-stream event (protocol.md): its field names, the writer the runner uses and the
 * reader the kernel uses, so both sides spell the wire once. The event names are {@link Protocol}'s {@code EVENT_*}.
 */
public final class TurnEventData {
    public static final String BODY = "body";
    public static final String DONE = "done";
    public static final String ERROR = "error";
    public static final String TOOL = "tool";
    public static final String ID = "id";
    public static final String INPUT = "input";
    public static final String OUTPUT = "output";
    public static final String IS_ERROR = "is_error";
    public static final String STOP_REASON = "stop_reason";
    public static final String USAGE = "usage";
    public static final String INPUT_TOKENS = "input_tokens";
    public static final String OUTPUT_TOKENS = "output_tokens";

    private TurnEventData() {}

    // ---- writer (the runner) ----

    /** {@code text} and {@code thinking}: one piece of the answer. */
    public static ObjectNode piece(String piece) {
        return base(piece, false, null);
    }

    public static ObjectNode toolUse(String tool, String id, JsonNode input) {
        ObjectNode data = base("", false, null);
        data.put(TOOL, tool);
        data.put(ID, id);
        data.set(INPUT, input == null ? JsonNodeFactory.instance.objectNode() : input.deepCopy());
        return data;
    }

    public static ObjectNode toolResult(String id, String output, boolean isError) {
        ObjectNode data = base("", false, null);
        data.put(ID, id);
        data.put(OUTPUT, output);
        data.put(IS_ERROR, isError);
        return data;
    }

    public static ObjectNode error(String message) {
        return base("", true, message);
    }

    public static ObjectNode done(String stopReason, long inputTokens, long outputTokens) {
        ObjectNode data = base("", true, null);
        data.put(STOP_REASON, stopReason);
        ObjectNode u = data.putObject(USAGE);
        u.put(INPUT_TOKENS, inputTokens);
        u.put(OUTPUT_TOKENS, outputTokens);
        return data;
    }

    private static ObjectNode base(String body, boolean done, String error) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put(BODY, body);
        data.put(DONE, done);
        if (error == null) {
            data.putNull(ERROR);
        } else {
            data.put(ERROR, error);
        }
        return data;
    }

    // ---- reader (the kernel); every reader takes a null payload and answers null / false ----

    /** A text field, null when absent or JSON null. */
    public static String text(JsonNode data, String field) {
        if (data == null) return null;
        JsonNode n = data.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    public static String body(JsonNode data) { return text(data, BODY); }
    public static String error(JsonNode data) { return text(data, ERROR); }
    public static boolean done(JsonNode data) { return data != null && data.path(DONE).asBoolean(false); }
    public static String tool(JsonNode data) { return text(data, TOOL); }
    public static String toolId(JsonNode data) { return text(data, ID); }
    public static JsonNode toolInput(JsonNode data) { return data == null ? null : data.get(INPUT); }
    public static String toolOutput(JsonNode data) { return text(data, OUTPUT); }
    public static boolean toolIsError(JsonNode data) { return data != null && data.path(IS_ERROR).asBoolean(false); }
    public static String stopReason(JsonNode data) { return text(data, STOP_REASON); }
    public static JsonNode usage(JsonNode data) { return data == null ? null : data.get(USAGE); }
}
