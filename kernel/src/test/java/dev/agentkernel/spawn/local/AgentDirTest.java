package dev.agentkernel.spawn.local;

import dev.agentkernel.Agent;
import dev.agentkernel.AgentState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class AgentDirTest {

    @TempDir Path tmp;

    @Test
    void directoryIs0700AndConfigIs0600() throws Exception {
        Path agents = tmp.resolve("state/agents");
        AgentDir dir = AgentDir.create(agents, "id-1");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.path())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("state"))));
        assertTrue(Files.isDirectory(dir.workspace()));
        dir.writeConfig("{\"nonce\":\"s3cret\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.configFile())));
        // Rewriting (port retry) keeps the mode and replaces the content.
        dir.writeConfig("{}".getBytes(StandardCharsets.UTF_8));
        assertEquals("{}", Files.readString(dir.configFile()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.configFile())));
    }

    @Test
    void recordRoundTripsWithoutSecretsAndDeleteConfigKeepsHistory() throws Exception {
        AgentDir dir = AgentDir.create(tmp.resolve("agents"), "id-2");
        Agent agent = new Agent("id-2", "worker", "team", "openclaw", AgentState.RUNNING, Map.of("role", "x"), null, Instant.now(), false);
        dir.writeConfig("{\"nonce\":\"s3cret\"}".getBytes(StandardCharsets.UTF_8));
        dir.writeRecord(AgentRecord.of(agent, ProcessHandle.current(), 1234));
        Files.writeString(dir.historyFile(), "{}\n");
        AgentRecord r = dir.readRecord();
        assertEquals("worker", r.name());
        assertEquals(1234, r.port());
        assertEquals(ProcessHandle.current().pid(), r.pid());
        assertTrue(r.runner().isPresent(), "the recorded pid is this process, which runs");
        assertFalse(Files.readString(dir.recordFile()).contains("s3cret"));
        dir.deleteConfig();
        assertFalse(Files.exists(dir.configFile()));
        assertTrue(Files.exists(dir.historyFile()));
        dir.delete();
        assertFalse(Files.exists(dir.path()));
    }

    @Test
    void stderrTailKeepsTheLastLines() throws Exception {
        AgentDir dir = AgentDir.create(tmp.resolve("agents"), "id-3");
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 30; i++) sb.append("line ").append(i).append('\n');
        Files.writeString(dir.errFile(), sb);
        List<String> tail = dir.stderrTail(20);
        assertEquals(20, tail.size());
        assertEquals("line 11", tail.getFirst());
        assertEquals("line 30", tail.getLast());
        assertEquals(List.of(), AgentDir.create(tmp.resolve("agents"), "id-4").stderrTail(20));
    }

    @Test
    void recordOfAReusedPidIsNotAlive() {
        AgentRecord r = new AgentRecord("i", "n", "", "openclaw", Map.of(), null, AgentState.RUNNING,
                ProcessHandle.current().pid(), 1L, 1, -1, null, false, Instant.now().toString());
        assertTrue(r.runner().isEmpty(), "start time differs from the recorded one");
        assertTrue(r.owner().isEmpty());
    }
}
