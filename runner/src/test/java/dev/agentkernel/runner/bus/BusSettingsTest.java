package dev.agentkernel.runner.bus;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.protocol.RunnerConfig;
import dev.agentkernel.runner.model.BadConfigException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

class BusSettingsTest {
    private static BusSettings resolve(Consumer<ObjectNode> tweak) throws Exception {
        ObjectNode c = Protocol.json().createObjectNode().put("agent_id", "a").put("nonce", "n").put("http_port", 0);
        tweak.accept(c);
        return BusSettings.resolve(Protocol.json().treeToValue(c, RunnerConfig.class));
    }

    @Test
    void offWithoutAPortAndDefaultsWithOne() throws Exception {
        assertFalse(resolve(c -> {}).enabled());
        BusSettings s = resolve(c -> c.put("agentbus_port", 8095));
        assertEquals(8095, s.port());
        assertEquals(List.of("rules"), s.voters());
        assertEquals(DecisionPolicy.FIRST_BOOLEAN_WINS, s.policy());
        assertEquals(Duration.ofSeconds(30), s.voteTimeout());
        assertFalse(s.disableSafety());
        assertEquals(9001, resolve(c -> c.put("agentbus_url", "http://127.0.0.1:9001")).port(), "the seed's agentbus_url alone works");
    }

    @Test
    void theLlmVoterFlagAddsItBeforeTheExternalVoter() throws Exception {
        BusSettings s = resolve(c -> {
            c.put("agentbus_port", 0);
            c.putArray("agentbus_voters").add("rules").add("external");
            c.put("agentbus_llm_voter", true);
            c.put("agentbus_policy", "majority");
            c.put("agentbus_vote_timeout_ms", 1500);
        });
        assertEquals(List.of("rules", "llm", "external"), s.voters());
        assertEquals(DecisionPolicy.MAJORITY, s.policy());
        assertEquals(Duration.ofMillis(1500), s.voteTimeout());
    }

    @Test
    void badValuesStopTheRunnerNamingTheFix() {
        var voter = assertThrows(BadConfigException.class, () -> resolve(c -> c.putArray("agentbus_voters").add("human")));
        assertTrue(voter.getMessage().contains("unknown voter 'human'") && voter.getMessage().contains("external"), voter.getMessage());
        var empty = assertThrows(BadConfigException.class, () -> resolve(c -> c.putArray("agentbus_voters")));
        assertTrue(empty.getMessage().contains("disable_safety"), empty.getMessage());
        var timeout = assertThrows(BadConfigException.class, () -> resolve(c -> c.put("agentbus_vote_timeout_ms", 0)));
        assertTrue(timeout.getMessage().contains("positive"), timeout.getMessage());
        var port = assertThrows(BadConfigException.class, () -> resolve(c -> c.put("agentbus_port", 70000)));
        assertTrue(port.getMessage().contains("0..65535"), port.getMessage());
        var url = assertThrows(BadConfigException.class, () -> resolve(c -> c.put("agentbus_url", "http://host-without-port")));
        assertTrue(url.getMessage().contains("agentbus_port"), url.getMessage());
    }
}
