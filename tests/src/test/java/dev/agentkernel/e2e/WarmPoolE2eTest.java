package dev.agentkernel.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.AgentKernel;
import dev.agentkernel.ConfigException;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.spawn.local.LocalBackend;
import dev.agentkernel.spawn.local.ProcessTreeKill;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.agentkernel.e2e.E2e.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The local backend's warm pool ({@code warm_pool}) with real standby runners: a fitting spawn claims a warmed one,
 * one that does not fit starts cold, a standby that died or was claimed wrongly is never handed out, and nothing of a
 * standby (process, directory, nonce on disk) outlives the kernel.
 */
@Timeout(300)
class WarmPoolE2eTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir Path tmp;

    private static AgentKernel pooled(Path state, int size) {
        return AgentKernel.builder().plugin(new OpenClawPlugin()).stateDir(state).hostEnv(Map.of())
                .spawnTimeout(Duration.ofSeconds(60)).warmPool(size).build();
    }

    /** Directories of standby runners not claimed yet (a standby file, no agent record). */
    private static List<Path> standbys(Path state) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path dir : agentDirs(state)) {
            if (Files.exists(dir.resolve("standby.json")) && !Files.exists(dir.resolve("agent.json"))) out.add(dir);
        }
        return out;
    }

    private static List<Long> pidsIn(Path agentDir) {
        return ProcessTreeKill.workingIn(agentDir.resolve("workspace")).stream().map(ProcessHandle::pid).toList();
    }

    @Test
    void aFittingSpawnClaimsAWarmStandbyAndLeavesNoSecretOrProcessBehind() throws Exception {
        Path state = tmp.resolve("state");
        List<Long> pids = new ArrayList<>();
        try (FakeLlmServer llm = FakeLlmServer.start(0); AgentKernel kernel = pooled(state, 1)) {
            LocalBackend local = (LocalBackend) kernel.spawner();
            assertTrue(waitUntil(WAIT, () -> local.warmPoolReady() == 1), "the standby got warm");
            Path standby = standbys(state).getFirst();
            JsonNode standbyFile = dev.agentkernel.protocol.Protocol.json().readTree(standby.resolve("standby.json").toFile());
            assertEquals(List.of("rw-------"), List.of(java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(standby.resolve("standby.json")))), "it holds the nonce");
            pids.addAll(pidsIn(standby));
            assertFalse(pids.isEmpty(), "a standby runner runs in " + standby);

            SpawnResult claimed = spawn(kernel, "claimed", llm);
            assertEquals(standby.getFileName().toString(), claimed.agent().id(), "the spawn claimed the standby");
            assertEquals(standbyFile.path("nonce").asText(), claimed.nonce(), "the standby's nonce is the agent's");
            assertEquals("Echo: hi", kernel.agentClient().ask(claimed.agent().id(), claimed.nonce(), "hi"));
            JsonNode info = kernel.agentClient().getInfo(claimed.agent().id()).join().raw();
            assertTrue(info.path(Protocol.INFO_CLAIMED).asBoolean(), info.toString());
            assertEquals("turn", info.path(Protocol.INFO_WARM_UP).asText(), "rehearsed in the standby, client built at the claim: " + info);
            assertEquals("claimed", info.path("name").asText());
            assertEquals((long) pids.getFirst(), pid(kernel, claimed.agent().id()), "the same process, now the agent");
            assertFalse(Files.exists(standby.resolve("standby.json")), "the config is the only file with the nonce");
            assertTrue(Files.exists(standby.resolve("config.json")));

            // a replacement comes up behind it; a spawn the pool does not fit (its own env) starts cold and leaves it be
            assertTrue(waitUntil(WAIT, () -> local.warmPoolReady() == 1), "refilled");
            Path next = standbys(state).getFirst();
            pids.addAll(pidsIn(next));
            SpawnResult cold = kernel.spawner().spawn(SpawnRequest.builder().name("cold").env(Map.of("PROJECT", "x"))
                    .spawnInfo(info(llm).build()).build()).join();
            assertNotEquals(next.getFileName().toString(), cold.agent().id());
            assertFalse(kernel.agentClient().getInfo(cold.agent().id()).join().raw().path(Protocol.INFO_CLAIMED).asBoolean());
            assertEquals(1, local.warmPoolReady(), "the standby is still there");
            pids.add(pid(kernel, cold.agent().id()));

            kernel.spawner().kill(claimed.agent().id()).join();
            assertFalse(Files.exists(standby.resolve("config.json")), "killed: no secret left on disk");
        }
        assertTrue(waitUntil(Duration.ofSeconds(10), () -> pids.stream().noneMatch(E2e::alive)), "every runner and standby stopped: " + pids);
        assertEquals(List.of(), standbys(state), "standby directories removed with the kernel");
    }

    @Test
    void aStandbyAnswersOnlyItsNonceAndOneThatDiedIsNeverHandedOut() throws Exception {
        Path state = tmp.resolve("state");
        try (FakeLlmServer llm = FakeLlmServer.start(0); AgentKernel kernel = pooled(state, 1);
             HttpClient http = HttpClient.newHttpClient()) {
            LocalBackend local = (LocalBackend) kernel.spawner();
            assertTrue(waitUntil(WAIT, () -> local.warmPoolReady() == 1));
            Path standby = standbys(state).getFirst();
            JsonNode file = Protocol.json().readTree(standby.resolve("standby.json").toFile());
            URI base = URI.create("http://127.0.0.1:" + file.path("http_port").asInt());
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(base.resolve(Protocol.PATH_HEALTH)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertTrue(health.body().contains("standby"), health.body());
            HttpResponse<String> noNonce = http.send(HttpRequest.newBuilder(base.resolve(Protocol.PATH_CLAIM))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, noNonce.statusCode(), noNonce.body());
            HttpResponse<String> turn = http.send(HttpRequest.newBuilder(base.resolve(Protocol.PATH_TURN))
                    .header("Authorization", "Bearer " + file.path("nonce").asText())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, turn.statusCode(), "a standby is no agent yet");

            // a claim with its nonce but no config: a typed refusal, and the standby exits as a bad config would
            long pid = pidsIn(standby).getFirst();
            HttpResponse<String> noConfig = http.send(HttpRequest.newBuilder(base.resolve(Protocol.PATH_CLAIM))
                    .header("Authorization", "Bearer " + file.path("nonce").asText())
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, noConfig.statusCode(), noConfig.body());
            assertTrue(noConfig.body().contains("config"), noConfig.body());
            assertTrue(waitUntil(Duration.ofSeconds(10), () -> !alive(pid)), "the refused standby exited");

            // the pool still holds that dead standby: the spawn must not get it, and starts a cold runner instead
            SpawnResult r = spawn(kernel, "after-death", llm);
            assertNotEquals(standby.getFileName().toString(), r.agent().id());
            assertEquals("Echo: hello", kernel.agentClient().ask(r.agent().id(), r.nonce(), "hello"));
            assertFalse(Files.exists(standby), "the dead standby's directory is gone");
        }
    }

    @Test
    void standbysOfAKernelThatDiedAreRemovedByTheNextOne() throws Exception {
        Path state = tmp.resolve("state");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path orphan = state.resolve("agents").resolve("orphan-standby");
        Files.createDirectories(orphan.resolve("workspace"));
        Files.writeString(orphan.resolve("standby.json"), "{\"http_port\":1,\"nonce\":\"n\",\"owner_pid\":" + gone.pid()
                + ",\"owner_start_millis\":" + gone.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(1L) + "}");
        Path alive = state.resolve("agents").resolve("live-owner-standby");
        Files.createDirectories(alive);
        Files.writeString(alive.resolve("standby.json"), "{\"http_port\":1,\"nonce\":\"n\",\"owner_pid\":" + ProcessHandle.current().pid() + "}");
        try (AgentKernel kernel = E2e.kernel(state, Map.of())) {
            assertFalse(Files.exists(orphan), "its kernel is gone");
            assertTrue(Files.exists(alive), "another kernel's standby (this JVM's pid) stays");
        }
        // `agentkernel cleanup` prunes them too, without a kernel
        Files.createDirectories(orphan.resolve("workspace"));
        Files.writeString(orphan.resolve("standby.json"), "{\"http_port\":1,\"nonce\":\"n\",\"owner_pid\":" + gone.pid() + "}");
        assertEquals(1, dev.agentkernel.LocalAgents.in(state).prune());
        assertFalse(Files.exists(orphan));
        assertTrue(Files.exists(alive));
    }

    @Test
    void aWarmPoolIsRefusedWhereItCannotWork() {
        ConfigException range = assertThrows(ConfigException.class, () -> pooled(tmp.resolve("a"), -1));
        assertTrue(range.getMessage().contains("warmPool"), range.getMessage());
        ConfigException sandbox = assertThrows(ConfigException.class, () -> AgentKernel.builder().backend("sandbox")
                .plugin(new OpenClawPlugin()).stateDir(tmp.resolve("b")).hostEnv(Map.of()).warmPool(1).build());
        assertTrue(sandbox.getMessage().contains("warm_pool") && sandbox.getMessage().contains("local"), sandbox.getMessage());
    }
}
