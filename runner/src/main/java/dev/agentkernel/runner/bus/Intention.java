package dev.agentkernel.runner.bus;

import com.fasterxml.jackson.databind.JsonNode;

/** A tool call waiting for its decision: {@code id} is what votes name. */
public record Intention(String id, String tool, JsonNode input) {
    /** The shell command of a bash call, or the input as JSON text for other tools. */
    public String command() {
        JsonNode c = input == null ? null : input.get("command");
        return c != null && c.isTextual() ? c.asText() : String.valueOf(input);
    }
}
