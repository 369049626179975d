package dev.agentkernel.bus;

import dev.agentkernel.AgentBusConfig;
import dev.agentkernel.AgentNotFoundException;
import dev.agentkernel.AgentUnreachableException;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.protocol.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class AgentBusConfigAndClientTest {
    @TempDir Path dir;

    @Test
    void theBuilderWritesEveryRunnerConfigFieldAndKeepsTheSeedDefaults() {
        AgentBusConfig seed = AgentBusConfig.builder().build();
        assertEquals(new AgentBusConfig(8095, false), seed);
        assertEquals(List.of("rules"), seed.voters());
        AgentBusConfig c = AgentBusConfig.builder().port(0).voters(List.of("rules", "external")).policy("unanimous")
                .voteTimeout(Duration.ofMillis(1500)).llmVoter(true).disableSafety(true).build();
        Map<String, Object> fields = c.runnerConfigFields(9001);
        assertEquals(9001, fields.get("agentbus_port"));
        assertEquals("http://127.0.0.1:9001", fields.get("agentbus_url"));
        assertEquals(true, fields.get("disable_safety"));
        assertEquals(List.of("rules", "external"), fields.get("agentbus_voters"));
        assertEquals("unanimous", fields.get("agentbus_policy"));
        assertEquals(1500L, fields.get("agentbus_vote_timeout_ms"));
        assertEquals(true, fields.get("agentbus_llm_voter"));
    }

    @Test
    void badBusSettingsAreRefusedNamingTheChoices() {
        var voter = assertThrows(InvalidRequestException.class, () -> AgentBusConfig.builder().voters(List.of("human")).build());
        assertTrue(voter.getMessage().contains("'human'") && voter.getMessage().contains("external"), voter.getMessage());
        var policy = assertThrows(InvalidRequestException.class, () -> AgentBusConfig.builder().policy("first").build());
        assertTrue(policy.getMessage().contains("first_boolean_wins"), policy.getMessage());
        assertThrows(InvalidRequestException.class, () -> AgentBusConfig.builder().voteTimeout(Duration.ZERO).build());
        assertThrows(InvalidRequestException.class, () -> AgentBusConfig.builder().voters(List.of()).build());
        assertThrows(InvalidRequestException.class, () -> AgentBusConfig.builder().port(70000).build());
    }

    @Test
    void aLocalAgentDirGivesBusIdAndPortAndMissingPiecesSayWhatToDo() throws Exception {
        Path agent = Files.createDirectories(dir.resolve("agents/a1"));
        assertThrows(AgentNotFoundException.class, () -> AgentBusClient.forAgentDir(dir.resolve("agents/nope")));
        Files.writeString(agent.resolve("config.json"), "{\"agent_id\":\"a1\",\"name\":\"w\",\"nonce\":\"n\",\"http_port\":1}");
        var off = assertThrows(InvalidRequestException.class, () -> AgentBusClient.forAgentDir(agent));
        assertTrue(off.getMessage().contains("agentbus("), off.getMessage());
        Files.writeString(agent.resolve("config.json"),
                "{\"agent_id\":\"a1\",\"name\":\"w\",\"nonce\":\"n\",\"http_port\":1,\"agentbus_port\":8123,\"bind_address\":\"127.0.0.1\"}");
        AgentBusClient client = AgentBusClient.forAgentDir(agent);
        assertEquals("w.a1", client.busId());
        assertEquals(URI.create("http://127.0.0.1:8123/"), client.baseUrl());
        assertFalse(client.toString().contains("\"n\""));
    }

    @Test
    void aBusThatIsNotThereIsUnreachableNotAHang() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        AgentBusClient client = AgentBusClient.connect(URI.create("http://127.0.0.1:" + port), "w.a1", "n");
        var e = assertThrows(AgentUnreachableException.class, () -> client.entries(0));
        assertTrue(e.getMessage().contains("port-forward"), e.getMessage());
        assertThrows(InvalidRequestException.class, () -> client.entries(-1));
    }

    @Test
    void summariesReadLikeALogLine() throws Exception {
        BusEntry vote = new BusEntry(3, "2026-01-01T00:00:00Z", BusEntry.VOTE, Protocol.json().readTree(
                "{\"intention_id\":\"int-2\",\"approve\":false,\"voter\":\"rules\",\"reason\":\"rule rm-home: it deletes the home directory\"}"));
        assertEquals("int-2 reject by rules: rule rm-home: it deletes the home directory", vote.summary());
        assertEquals("int-2", vote.intentionId());
        BusEntry decision = new BusEntry(4, "t", BusEntry.DECISION, Protocol.json().readTree(
                "{\"intention_id\":\"int-2\",\"decision\":\"abort\",\"policy\":\"first_boolean_wins\",\"reason\":\"r\"}"));
        assertEquals("int-2 ABORT (first_boolean_wins): r", decision.summary());
    }
}
