package dev.agentkernel.fakellm;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/**
 * Picks the name to use for {@code [[bash: CMD]]} calls from the tools a request declared, so the
 * call matches whatever the client named its shell tool.
 */
final class BashToolPicker {
    static final String DEFAULT_NAME = "bash";

    /** A declared tool: its name and JSON schema (may be a missing node). */
    record Declared(String name, JsonNode schema) {}

    private BashToolPicker() {}

    static String pick(List<Declared> tools) {
        for (Declared t : tools) { // an exact or name-alike shell tool wins
            String n = t.name().toLowerCase(Locale.ROOT);
            if (n.contains("bash") || n.contains("shell")) {
                return t.name();
            }
        }
        for (Declared t : tools) { // otherwise a tool that takes a "command"
            if (t.schema().path("properties").has("command")) {
                return t.name();
            }
        }
        return DEFAULT_NAME;
    }
}
