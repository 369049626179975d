package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.protocol.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code status} and {@code cleanup} on a state directory planted with agent.json records whose "runners"
 * are real processes ({@code sleep}), so liveness and killing are checked for real.
 */
class StateDirCommandsTest {

    private static final String NONCE = "SECRET-NONCE-must-never-be-printed";

    @TempDir Path stateDir;
    private final List<Process> started = new ArrayList<>();

    private ProcessHandle deadOwner;
    private Process orphanRunner, ownedRunner, detachedRunner;

    @BeforeEach
    void plant() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor(10, TimeUnit.SECONDS);
        deadOwner = exited.toHandle();

        orphanRunner = sleeper();
        ownedRunner = sleeper();
        detachedRunner = sleeper();
        ProcessHandle me = ProcessHandle.current();

        record("a-orphan", "orphan", orphanRunner.toHandle(), deadOwner, false);
        record("b-owned", "owned", ownedRunner.toHandle(), me, false);
        record("c-dead", "dead", deadOwner, deadOwner, false);
        record("d-detached", "detached", detachedRunner.toHandle(), deadOwner, true);
    }

    @AfterEach
    void killSleepers() {
        for (Process p : started) p.destroyForcibly();
    }

    private Process sleeper() throws IOException {
        Process p = new ProcessBuilder("sleep", "120").start();
        started.add(p);
        return p;
    }

    private void record(String id, String name, ProcessHandle runner, ProcessHandle owner, boolean detached) throws IOException {
        Path dir = stateDir.resolve("agents").resolve(id);
        Files.createDirectories(dir.resolve("workspace"));
        ObjectNode r = Protocol.json().createObjectNode()
                .put("id", id).put("name", name).put("team_id", "").put("agent_type", "openclaw")
                .put("state", "RUNNING")
                .put("pid", runner.pid()).put("pid_started_at", startMillis(runner))
                .put("port", 40000 + id.charAt(0))
                .put("owner_pid", owner.pid()).put("owner_started_at", startMillis(owner))
                .put("detached", detached)
                .put("created", Instant.now().toString());
        Files.write(dir.resolve("agent.json"), Protocol.json().writeValueAsBytes(r));
        Files.writeString(dir.resolve("config.json"), "{\"agent_id\":\"" + id + "\",\"nonce\":\"" + NONCE + "\"}");
    }

    private static Long startMillis(ProcessHandle p) {
        return p.info().startInstant().map(Instant::toEpochMilli).orElse(null);
    }

    private CliRun cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--state-dir");
        all.add(stateDir.toString());
        return CliRun.of(Map.of(), all.toArray(String[]::new));
    }

    private static String lineOf(String text, String id) {
        return text.lines().filter(l -> l.startsWith(id)).findFirst().orElseThrow(() -> new AssertionError(id + " not in\n" + text));
    }

    @Test
    void statusShowsEveryAgentWithItsLivenessAndNoNonce() {
        CliRun run = cli("status");
        assertEquals(0, run.exitCode(), run.err());
        String out = run.out();
        assertFalse(out.contains(NONCE), out);

        String orphan = lineOf(out, "a-orphan");
        assertTrue(orphan.matches(".*\\balive\\s+gone \\(pid " + deadOwner.pid() + "\\)\\s+no\\s+stale$"), orphan);
        assertTrue(orphan.contains(String.valueOf(orphanRunner.pid())), orphan);
        assertTrue(lineOf(out, "b-owned").matches(".*\\balive\\s+alive \\(pid " + ProcessHandle.current().pid() + "\\)\\s+no$"),
                lineOf(out, "b-owned"));
        assertTrue(lineOf(out, "c-dead").matches(".*\\bdead\\s+gone .*stale$"), lineOf(out, "c-dead"));
        assertTrue(lineOf(out, "d-detached").matches(".*\\balive\\s+gone \\(pid \\d+\\)\\s+yes$"), lineOf(out, "d-detached"));
        assertTrue(out.contains("4 agent(s) in " + stateDir), out);
    }

    @Test
    void statusJsonCarriesTheSameFacts() throws Exception {
        CliRun run = cli("status", "--json");
        assertEquals(0, run.exitCode(), run.err());
        assertFalse(run.out().contains(NONCE));
        JsonNode all = Protocol.json().readTree(run.out());
        assertEquals(4, all.size());
        JsonNode orphan = find(all, "a-orphan");
        assertTrue(orphan.get("process_alive").asBoolean());
        assertFalse(orphan.get("owner_alive").asBoolean());
        assertTrue(orphan.get("stale").asBoolean());
        assertEquals(orphanRunner.pid(), orphan.get("pid").asLong());
        assertTrue(find(all, "d-detached").get("detached").asBoolean());
        assertFalse(find(all, "b-owned").get("stale").asBoolean());
    }

    private static JsonNode find(JsonNode all, String id) {
        for (JsonNode n : all) if (id.equals(n.get("id").asText())) return n;
        throw new AssertionError(id + " missing in " + all);
    }

    @Test
    void cleanupStopsAndRemovesOnlyAgentsWhoseKernelIsGone() throws Exception {
        CliRun run = cli("cleanup");
        assertEquals(0, run.exitCode(), run.err());

        assertTrue(orphanRunner.waitFor(10, TimeUnit.SECONDS), "the orphan's runner was not killed");
        assertTrue(ownedRunner.isAlive(), "an agent of a live kernel was killed");
        assertTrue(detachedRunner.isAlive(), "a detached agent was killed without --all");

        assertFalse(Files.exists(stateDir.resolve("agents/a-orphan")), "orphan's directory left");
        assertFalse(Files.exists(stateDir.resolve("agents/c-dead")), "dead agent's directory left");
        assertTrue(Files.exists(stateDir.resolve("agents/b-owned/agent.json")));
        assertTrue(Files.exists(stateDir.resolve("agents/d-detached/agent.json")));

        String out = run.out();
        assertTrue(out.contains("stopped a-orphan (orphan)"), out);
        assertTrue(out.contains("killed runner pid " + orphanRunner.pid()), out);
        assertTrue(out.contains("stopped c-dead (dead)"), out);
        assertTrue(out.contains("stopped 2 stale agent(s), removed 2"), out);
        assertTrue(out.contains("kept 2"), out);
        assertFalse(out.contains("b-owned"), out);

        // A second run finds nothing more to do.
        CliRun again = cli("cleanup");
        assertTrue(again.out().contains("stopped 0 stale agent(s), removed 0"), again.out());
    }

    @Test
    void cleanupAllStopsAndRemovesEveryAgent() throws Exception {
        CliRun run = cli("cleanup", "--all");
        assertEquals(0, run.exitCode(), run.err());
        for (Process p : List.of(orphanRunner, ownedRunner, detachedRunner)) {
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "runner " + p.pid() + " still alive");
        }
        try (var left = Files.list(stateDir.resolve("agents"))) {
            assertEquals(0, left.count(), "agent directories left behind");
        }
        assertTrue(run.out().contains("killed 3 runner(s), removed 4 agent directories"), run.out());
        assertTrue(cli("status").out().contains("No agents recorded"));
    }
}
