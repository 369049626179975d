package dev.agentkernel.runner;

import dev.agentkernel.runner.model.BadConfigException;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.protocol.RunnerConfig;
import org.junit.jupiter.api.Test;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The hand-rolled config reader must agree with Jackson's mapping of {@link RunnerConfig}, field for field. */
class ConfigReaderTest {

    /** Every record component gets a sample value of its type, so a field added to RunnerConfig fails here until mapped. */
    private static ObjectNode everyField() {
        ObjectNode json = Protocol.json().createObjectNode();
        int i = 1;
        for (RecordComponent c : RunnerConfig.class.getRecordComponents()) {
            String name = c.getAccessor().getAnnotation(JsonProperty.class) != null
                    ? c.getAccessor().getAnnotation(JsonProperty.class).value()
                    : c.getAnnotation(JsonProperty.class) != null ? c.getAnnotation(JsonProperty.class).value() : c.getName();
            Class<?> type = c.getType();
            if (type == String.class) {
                json.put(name, "v" + i);
            } else if (type == Integer.class) {
                json.put(name, 1000 + i);
            } else if (type == Long.class) {
                json.put(name, 5_000_000_000L + i);
            } else if (type == Boolean.class) {
                json.put(name, true);
            } else if (type == List.class) {
                assertEquals(String.class, ((ParameterizedType) c.getGenericType()).getActualTypeArguments()[0]);
                json.putArray(name).add("a" + i).add("b" + i);
            } else if (type == Map.class) {
                ObjectNode extra = json.putObject(name);
                extra.put("s", "x").put("n", 3).put("big", 9_000_000_000L).put("f", 1.5).put("b", false).putNull("z");
                extra.putArray("l").add(1).add("two");
                extra.putObject("o").put("k", "v");
            } else {
                fail("ConfigReader has no mapping for " + type + " of field " + name + ": extend it and this test");
            }
            i++;
        }
        return json;
    }

    @Test
    void agreesWithJacksonOnEveryField() throws Exception {
        String text = everyField().toString();
        RunnerConfig expected = Protocol.json().readValue(text, RunnerConfig.class);
        RunnerConfig actual = ConfigReader.read(text);
        for (RecordComponent c : RunnerConfig.class.getRecordComponents()) {
            assertEquals(c.getAccessor().invoke(expected), c.getAccessor().invoke(actual), c.getName());
        }
    }

    @Test
    void missingAndNullFieldsAreNull() throws Exception {
        RunnerConfig c = ConfigReader.read("{\"agent_id\":\"a\",\"nonce\":null,\"unknown_field\":{\"x\":[1]}}");
        assertEquals("a", c.agentId());
        assertNull(c.nonce());
        assertNull(c.httpPort());
        assertNull(c.tools());
    }

    @Test
    void trailingGarbageIsRefused() {
        var e = assertThrows(BadConfigException.class, () -> ConfigReader.read("{\"agent_id\":\"a\"} {}"));
        assertTrue(e.getMessage().contains("after the JSON object"));
    }
}
