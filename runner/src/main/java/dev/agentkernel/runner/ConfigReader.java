package dev.agentkernel.runner;

import dev.agentkernel.runner.model.BadConfigException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.protocol.RunnerConfig;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the config file into a {@link RunnerConfig} with the streaming parser alone. Building an
 * {@code ObjectMapper} and introspecting the record costs ~150 ms of a spawn budget of 300 ms; an agent
 * needs neither before it is ready. {@code ConfigReaderTest} checks this stays equal to Jackson's own mapping
 * for every field of the record.
 */
final class ConfigReader {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ConfigReader() {}

    static RunnerConfig read(String text) throws BadConfigException {
        JsonNode root;
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new BadConfigException("it must be a JSON object like {\"agent_id\":\"...\",\"nonce\":\"...\",\"http_port\":8123}");
            }
            root = value(parser, first);
            if (parser.nextToken() != null) {
                throw new BadConfigException("there is text after the JSON object");
            }
        } catch (IOException e) {
            throw new BadConfigException("it is not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        return new RunnerConfig(
                string(root, "agent_id"), string(root, "nonce"), string(root, "name"), string(root, "agent_type"),
                string(root, "system_prompt"), string(root, "model"), string(root, "provider"), strings(root, "tools"),
                string(root, "thinking_level"), integer(root, "http_port"), string(root, "api_key"), string(root, "base_url"),
                string(root, "agentbus_url"), bool(root, "disable_safety"), string(root, "workspace"),
                string(root, "bind_address"), string(root, "state_dir"), strings(root, "bundles"),
                integer(root, "max_tool_rounds"), integer(root, "bash_timeout_seconds"), integer(root, "agentbus_port"),
                longValue(root, "owner_pid"), map(root, "extra"),
                longValue(root, "owner_start_millis"), bool(root, "owner_pipe"),
                strings(root, "agentbus_voters"), string(root, "agentbus_policy"), longValue(root, "agentbus_vote_timeout_ms"),
                bool(root, "agentbus_llm_voter"), string(root, "relay_dir"),
                integer(root, "max_turn_body_bytes"), integer(root, "http_max_connections"),
                integer(root, "http_idle_timeout_seconds"), integer(root, "http_request_timeout_seconds"),
                strings(root, "user_env"));
    }

    private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case START_OBJECT -> {
                ObjectNode o = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    o.set(name, value(p, p.nextToken()));
                }
                yield o;
            }
            case START_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                JsonToken next;
                while ((next = p.nextToken()) != JsonToken.END_ARRAY) {
                    a.add(value(p, next));
                }
                yield a;
            }
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT -> NODES.numberNode(p.getLongValue());
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new IOException("unexpected " + t);
        };
    }

    private static JsonNode field(JsonNode root, String name) {
        JsonNode n = root.get(name);
        return n == null || n.isNull() ? null : n;
    }

    private static String string(JsonNode root, String name) throws BadConfigException {
        JsonNode n = field(root, name);
        if (n == null) {
            return null;
        }
        if (!n.isValueNode()) {
            throw wrongType(name, "a string");
        }
        return n.asText();
    }

    private static Integer integer(JsonNode root, String name) throws BadConfigException {
        JsonNode n = field(root, name);
        if (n == null) {
            return null;
        }
        if (n.isIntegralNumber() && n.canConvertToInt()) {
            return n.intValue();
        }
        if (n.isTextual()) {
            try {
                return Integer.valueOf(n.asText().trim());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw wrongType(name, "an integer");
    }

    private static Long longValue(JsonNode root, String name) throws BadConfigException {
        JsonNode n = field(root, name);
        if (n == null) {
            return null;
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return n.longValue();
        }
        throw wrongType(name, "an integer");
    }

    private static Boolean bool(JsonNode root, String name) throws BadConfigException {
        JsonNode n = field(root, name);
        if (n == null) {
            return null;
        }
        if (!n.isBoolean()) {
            throw wrongType(name, "true or false");
        }
        return n.booleanValue();
    }

    private static List<String> strings(JsonNode root, String name) throws BadConfigException {
        JsonNode n = field(root, name);
        if (n == null) {
            return null;
        }
        if (!n.isArray()) {
            throw wrongType(name, "a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw wrongType(name, "a list of strings");
            }
            out.add(e.asText());
        }
        return out;
    }

    private static Map<String, Object> map(JsonNode root, String name) throws BadConfigException {
        JsonNode n = field(root, name);
        if (n == null) {
            return null;
        }
        if (!n.isObject()) {
            throw wrongType(name, "a JSON object");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        n.properties().forEach(e -> out.put(e.getKey(), plain(e.getValue())));
        return out;
    }

    /** The value as Jackson's untyped mapping would give it: String, Integer/Long, Double, Boolean, List, Map, null. */
    private static Object plain(JsonNode n) {
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isIntegralNumber()) {
            return n.canConvertToInt() ? (Object) n.intValue() : (Object) n.longValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isArray()) {
            List<Object> list = new ArrayList<>();
            n.forEach(e -> list.add(plain(e)));
            return list;
        }
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            n.properties().forEach(e -> m.put(e.getKey(), plain(e.getValue())));
            return m;
        }
        return null;
    }

    private static BadConfigException wrongType(String field, String expected) {
        return new BadConfigException("field " + field + " must be " + expected);
    }
}
