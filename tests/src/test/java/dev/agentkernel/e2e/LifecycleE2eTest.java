package dev.agentkernel.e2e;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.AgentState;
import dev.agentkernel.AgentStatus;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.fakellm.junit.FakeLlm;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.spawn.local.AgentRecord;
import dev.agentkernel.spawn.local.LocalStateDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.agentkernel.e2e.E2e.*;
import static org.junit.jupiter.api.Assertions.*;

/** What happens around an agent's life: crashes, restarts on the same directory, dead owners, JVM exit. */
@Timeout(180)
class LifecycleE2eTest {

    @TempDir static Path tmp;
    @FakeLlm static FakeLlmServer llm;
    @Kernel static AgentKernel kernel;

    @Test
    void historySurvivesARunnerCrashAndARestartOnTheSameDirectory() throws Exception {
        SpawnResult r = spawn(kernel, "survivor", llm);
        String id = r.agent().id();
        assertEquals("Echo: remember alpha", kernel.ask(id, r.nonce(), "remember alpha"));
        assertEquals("Echo: remember beta", kernel.ask(id, r.nonce(), "remember beta"));

        AgentRecord rec = record(kernel, id);
        ProcessHandle.of(rec.pid()).orElseThrow().destroyForcibly();
        assertTrue(waitUntil(Duration.ofSeconds(10), () -> !alive(rec.pid())));

        AgentStatus st = kernel.status().join().stream().filter(s -> s.agentId().equals(id)).findFirst().orElseThrow();
        assertEquals(Boolean.FALSE, st.processAlive());
        assertFalse(st.live());
        assertEquals(AgentState.FAILED, st.state());

        Path dir = agentDir(kernel, id);
        String history = Files.readString(dir.resolve(Protocol.HISTORY_FILE));
        assertTrue(history.contains("remember alpha") && history.contains("Echo: remember beta"), history);

        // A new runner on the same directory and config picks the conversation up.
        Process restarted = new ProcessBuilder(java(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", runnerJar().toString(),
                "dev.agentkernel.runner.RunnerMain", "--config", dir.resolve("config.json").toString())
                .directory(dir.resolve("workspace").toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(dir.resolve("restart.err").toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + rec.port();
            assertTrue(waitUntil(Duration.ofSeconds(30), () -> {
                try {
                    return http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (Exception notYet) {
                    return false;
                }
            }), "restarted runner became healthy");
            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(base + "/history"))
                    .header("Authorization", "Bearer " + r.nonce()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, resp.statusCode());
            var messages = Protocol.json().readTree(resp.body());
            assertEquals(4, messages.size(), resp.body());
            assertEquals("remember alpha", messages.get(0).get("content").isTextual() ? messages.get(0).get("content").asText()
                    : messages.get(0).get("content").get(0).get("text").asText());
        } finally {
            restarted.destroy();
            if (!restarted.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) restarted.destroyForcibly().waitFor();
        }
        kernel.spawner().kill(id).join();
        assertFalse(Files.exists(dir.resolve("config.json")));
    }

    @Test
    void agentsOfAKernelThatDiedAreFoundAndReaped() throws Exception {
        Path state = tmp.resolve("orphans");
        Process owner = ownerJvm(state, "hang");
        String[] spawned;
        try {
            spawned = readSpawned(owner);
        } catch (Throwable t) {
            owner.destroyForcibly().waitFor();
            throw t;
        }
        long runnerPid = Long.parseLong(spawned[2]);
        try {
            LocalStateDir dir = new LocalStateDir(state);
            LocalStateDir.Entry live = dir.list().getFirst();
            assertTrue(live.processAlive() && live.ownerAlive() && !live.stale(), "owner still running: not stale");
            assertTrue(dir.reap().isEmpty());
            owner.destroyForcibly().waitFor();   // SIGKILL: no shutdown hook runs

            // The runner stops by itself (its owner pipe closed), but its record still says RUNNING and its
            // config.json still holds the nonce: the reaper is what tidies up after a kernel that died.
            assertAllDead(List.of(runnerPid));
            List<LocalStateDir.Entry> stale = dir.stale();
            assertEquals(1, stale.size());
            assertEquals(spawned[1], stale.getFirst().record().id());
            assertFalse(stale.getFirst().ownerAlive());
            assertTrue(Files.exists(stale.getFirst().dir().resolve("config.json")));
            assertEquals(runnerPid, stale.getFirst().record().pid());

            assertEquals(1, dir.reap(Duration.ofSeconds(3)).size());
            LocalStateDir.Entry after = dir.list().getFirst();
            assertEquals(AgentState.STOPPED, after.record().state());
            assertFalse(Files.exists(after.dir().resolve("config.json")), "the nonce file is gone");
            assertTrue(dir.stale().isEmpty());
        } finally {
            ProcessHandle.of(runnerPid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void exitingWithoutCloseStillKillsTheAgents() throws Exception {
        Process owner = ownerJvm(tmp.resolve("hook"), "exit");
        String[] spawned = readSpawned(owner);
        long runnerPid = Long.parseLong(spawned[2]);
        try {
            assertTrue(owner.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            assertAllDead(List.of(runnerPid));
            LocalStateDir.Entry e = new LocalStateDir(tmp.resolve("hook")).list().getFirst();
            assertEquals(AgentState.STOPPED, e.record().state(), "the hook marked the agent stopped");
        } finally {
            ProcessHandle.of(runnerPid).ifPresent(ProcessHandle::destroyForcibly);
            owner.destroyForcibly();
        }
    }

    private static Process ownerJvm(Path state, String mode) throws Exception {
        return new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"),
                "-Dagentkernel.runner.jar=" + runnerJar(), OwnerKernelMain.class.getName(), state.toString(), mode)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Reads the owner's SPAWNED line: {@code [SPAWNED, agentId, runnerPid]}. */
    private static String[] readSpawned(Process owner) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("SPAWNED ")) return line.split(" ");
        }
        fail("the owner JVM exited without spawning (exit " + owner.waitFor() + ")");
        return null;
    }
}
