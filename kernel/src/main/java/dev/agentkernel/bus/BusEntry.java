package dev.agentkernel.bus;

import dev.agentkernel.protocol.BusLogEntry;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One entry of an agent's bus log. {@code type} is one of {@code inference_input}, {@code inference_output},
 * {@code intention}, {@code vote}, {@code decision}, {@code action_output}; {@code payload} is as docs/agentbus.md shows.
 */
public record BusEntry(long position, String timestamp, String type, JsonNode payload) {
    public static final String INFERENCE_INPUT = BusLogEntry.INFERENCE_INPUT;
    public static final String INFERENCE_OUTPUT = BusLogEntry.INFERENCE_OUTPUT;
    public static final String INTENTION = BusLogEntry.INTENTION;
    public static final String VOTE = BusLogEntry.VOTE;
    public static final String DECISION = BusLogEntry.DECISION;
    public static final String ACTION_OUTPUT = BusLogEntry.ACTION_OUTPUT;

    /** The intention this entry belongs to, or null for inference entries. */
    public String intentionId() {
        JsonNode id = payload == null ? null : payload.get(BusLogEntry.INTENTION_ID);
        return id == null || id.isNull() ? null : id.asText();
    }

    /** A one-line summary for tables and terminals. */
    public String summary() {
        JsonNode p = payload;
        return switch (type) {
            case INFERENCE_INPUT -> p.path("messages").asInt() + " messages; last user text: " + clip(p.path("last_user_text").asText(), 120);
            case INFERENCE_OUTPUT -> {
                StringBuilder s = new StringBuilder(clip(p.path("text").asText(), 120));
                p.path("tool_calls").forEach(c -> s.append(" [").append(c.path("name").asText()).append(": ")
                        .append(clip(c.path("input").path("command").asText(c.path("input").toString()), 80)).append("]"));
                yield s + " (" + p.path("stop_reason").asText() + ", " + p.path("usage").path("input_tokens").asLong() + " in / "
                        + p.path("usage").path("output_tokens").asLong() + " out)";
            }
            case INTENTION -> p.path("intention_id").asText() + " " + p.path("tool").asText() + ": "
                    + clip(p.path("input").path("command").asText(p.path("input").toString()), 160);
            case VOTE -> p.path("intention_id").asText() + " " + (p.path("approve").asBoolean() ? "approve" : "reject")
                    + " by " + p.path("voter").asText() + ": " + clip(p.path("reason").asText(), 160);
            case DECISION -> p.path("intention_id").asText() + " " + p.path("decision").asText().toUpperCase()
                    + " (" + p.path("policy").asText() + "): " + clip(p.path("reason").asText(), 160);
            case ACTION_OUTPUT -> p.path("intention_id").asText() + (p.path("is_error").asBoolean() ? " error: " : " output: ")
                    + clip(p.path("output").asText().strip(), 160);
            default -> clip(String.valueOf(p), 160);
        };
    }

    private static String clip(String s, int max) {
        String one = s.replace('\n', ' ');
        return one.length() <= max ? one : one.substring(0, max - 1) + "…";
    }
}
