package dev.agentkernel.spawn.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.Agent;
import dev.agentkernel.AgentBusyException;
import dev.agentkernel.AgentKernel;
import dev.agentkernel.AgentNotFoundException;
import dev.agentkernel.AgentState;
import dev.agentkernel.AgentStatus;
import dev.agentkernel.CreateTeamRequest;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.NonceRejectedException;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.TeamCapacityException;
import dev.agentkernel.AgentUnreachableException;
import dev.agentkernel.TurnRequest;
import dev.agentkernel.TurnResponse;
import dev.agentkernel.TurnStream;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.testrunner.MiniRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The local backend and the HTTP client end to end against {@link MiniRunner}, a protocol-conformant
 * runner without an LLM (the real runner is covered by module tests).
 */
@Timeout(120)
class LocalBackendTest {

    @TempDir static Path tmp;
    static Path runnerScript;
    static AgentKernel kernel;

    @BeforeAll
    static void start() throws Exception {
        runnerScript = MiniRunner.script(tmp);
        kernel = kernel(tmp.resolve("state"), null);
    }

    @AfterAll
    static void stop() {
        if (kernel != null) kernel.close();
    }

    static AgentKernel kernel(Path stateDir, java.util.function.IntSupplier ports) {
        return AgentKernel.builder().plugin(new OpenClawPlugin()).stateDir(stateDir).portSource(ports)
                .hostEnv(Map.of("OPENCLAW_RUNNER_BIN", runnerScript.toString(), "LLM_API_KEY", "host-key", "SECRET_TOKEN", "x"))
                .spawnTimeout(Duration.ofSeconds(30)).build();
    }

    static SpawnResult spawn(AgentKernel k, String name) {
        return k.spawner().spawn(SpawnRequest.builder().name(name).metadata("role", "test")
                .spawnInfo(OpenClawSpawnInfo.builder().model("m").build()).build()).join();
    }

    static Throwable cause(Runnable r) {
        return assertThrows(CompletionException.class, r::run).getCause();
    }

    @Test
    void spawnWritesTheAgentDirectoryAndTheAgentAnswers() throws Exception {
        SpawnResult r = spawn(kernel, "echo");
        Agent a = r.agent();
        assertEquals(AgentState.RUNNING, a.state());
        assertEquals(Map.of("role", "test"), a.metadata());
        assertEquals(64, r.nonce().length());
        assertFalse(r.toString().contains(r.nonce()));

        AgentDir dir = new AgentDir(kernel.stateDir().resolve("agents").resolve(a.id()));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.path())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.configFile())));
        JsonNode cfg = Protocol.json().readTree(dir.configFile().toFile());
        assertEquals(a.id(), cfg.get("agent_id").asText());
        assertEquals(r.nonce(), cfg.get("nonce").asText());
        assertEquals("echo", cfg.get("name").asText());
        assertEquals("openclaw", cfg.get("agent_type").asText());
        assertEquals("127.0.0.1", cfg.get("bind_address").asText());
        assertEquals("host-key", cfg.get("api_key").asText(), "LLM_API_KEY from the host env");
        assertEquals(dir.workspace().toAbsolutePath().toString(), cfg.get("workspace").asText());
        assertEquals(dir.path().toAbsolutePath().toString(), cfg.get("state_dir").asText());
        assertEquals(ProcessHandle.current().pid(), cfg.get("owner_pid").asLong());
        String record = Files.readString(dir.recordFile());
        assertFalse(record.contains(r.nonce()) || record.contains("host-key"), "agent.json holds no secret");
        AgentRecord rec = dir.readRecord();
        assertEquals(cfg.get("http_port").asInt(), rec.port());
        assertEquals(AgentState.RUNNING, rec.state());

        assertEquals("Echo: hello", kernel.ask(a.id(), r.nonce(), "hello"));
        List<TurnResponse> chunks = new ArrayList<>();
        assertEquals("Echo: again", kernel.agentClient().ask(a.id(), r.nonce(), "again", chunks::add));
        assertEquals(List.of("text", "text", "done"), chunks.stream().map(TurnResponse::event).toList());

        var history = kernel.agentClient().getHistory(a.id()).join();
        assertEquals(List.of("user", "assistant", "user", "assistant"), history.stream().map(h -> h.role()).toList());
        assertEquals("Echo: again", history.getLast().content());
        var info = kernel.agentClient().getInfo(a.id()).join();
        assertEquals(a.id(), info.agentId());
        assertEquals(rec.pid(), info.pid());
        assertEquals(List.of("bash"), info.tools());

        kernel.spawner().kill(a.id()).join();
        assertFalse(ProcessHandle.of(rec.pid()).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(Files.exists(dir.configFile()), "the nonce is gone from disk");
        assertTrue(Files.exists(dir.historyFile()), "history stays");
        assertEquals(AgentState.STOPPED, dir.readRecord().state());
        assertEquals(AgentState.STOPPED, kernel.spawner().agent(a.id()).orElseThrow().state());
        assertTrue(kernel.spawner().agents().stream().noneMatch(x -> x.id().equals(a.id())));
        AgentNotFoundException gone = assertThrows(AgentNotFoundException.class, () -> kernel.ask(a.id(), r.nonce(), "still there?"));
        assertTrue(gone.getMessage().contains("was killed"), gone.getMessage());
        assertInstanceOf(AgentNotFoundException.class, cause(() -> kernel.spawner().kill(a.id()).join()));
    }

    @Test
    void turnErrorsAreTyped() {
        SpawnResult r = spawn(kernel, "errors");
        String id = r.agent().id();
        assertThrows(NonceRejectedException.class, () -> kernel.ask(id, "0".repeat(64), "hi"));
        InvalidRequestException bad = assertThrows(InvalidRequestException.class,
                () -> kernel.agentClient().turn(new TurnRequest(id, r.nonce(), "{not json".getBytes(StandardCharsets.UTF_8))));
        assertTrue(bad.getMessage().contains("body must be"), "quotes the runner's error: " + bad.getMessage());
        try (TurnStream held = kernel.agentClient().turn(TurnRequest.userMessage(id, r.nonce(), "hold"))) {
            Iterator<TurnResponse> it = held.iterator();
            assertEquals("holding", it.next().body());
            AgentBusyException busy = assertThrows(AgentBusyException.class, () -> kernel.ask(id, r.nonce(), "me too"));
            assertTrue(busy.getMessage().contains("already running a turn"), busy.getMessage());
        }
        // Closing before done sent /cancel: the runner saw it.
        Path marker = kernel.stateDir().resolve("agents").resolve(id).resolve("workspace/cancelled");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.exists(marker) && System.nanoTime() < deadline) sleep(20);
        assertTrue(Files.exists(marker), "closing the stream cancels the turn at the agent");
        assertEquals("Echo: free again", kernel.ask(id, r.nonce(), "free again"));
        kernel.spawner().kill(id).join();
    }

    @Test
    void agentDyingMidTurnEndsTheStreamWithAnError() {
        SpawnResult r = spawn(kernel, "mortal");
        long start = System.nanoTime();
        List<TurnResponse> chunks = new ArrayList<>();
        try (TurnStream s = kernel.agentClient().turn(TurnRequest.userMessage(r.agent().id(), r.nonce(), "die"))) {
            for (TurnResponse c : s) chunks.add(c);
        }
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10);
        TurnResponse last = chunks.getLast();
        assertTrue(last.done() && last.error() != null, chunks.toString());
        assertTrue(last.error().contains("connection to agent 'mortal'") && last.error().contains("lost"), last.error());
        AgentUnreachableException dead = assertThrows(AgentUnreachableException.class, () -> kernel.ask(r.agent().id(), r.nonce(), "anyone?"));
        assertTrue(dead.getMessage().contains("no longer running"), dead.getMessage());
        List<AgentStatus> st = kernel.status().join().stream().filter(s -> s.agentId().equals(r.agent().id())).toList();
        assertEquals(Boolean.FALSE, st.getFirst().processAlive());
        assertFalse(st.getFirst().live());
        assertEquals(AgentState.FAILED, st.getFirst().state());
        kernel.spawner().kill(r.agent().id()).join();
    }

    @Test
    void portTakenIsRetriedWithAnotherPort() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            AtomicInteger calls = new AtomicInteger();
            try (AgentKernel k = kernel(tmp.resolve("ports"), () -> calls.getAndIncrement() == 0 ? taken.getLocalPort() : LoopbackPorts.free())) {
                SpawnResult r = spawn(k, "retry");
                assertEquals(2, calls.get(), "one retry");
                assertEquals("Echo: ok", k.ask(r.agent().id(), r.nonce(), "ok"));
                String err = Files.readString(k.stateDir().resolve("agents").resolve(r.agent().id()).resolve("runner.err"));
                assertTrue(err.contains("port " + taken.getLocalPort() + " is in use"), err);
            }
        }
    }

    @Test
    void concurrentSpawnsIntoATeamNeverOverCommit() throws Exception {
        try (AgentKernel k = kernel(tmp.resolve("team"), null)) {
            k.spawner().createTeam(new CreateTeamRequest("crew", Map.of("cpu", 3))).join();
            List<CompletableFuture<SpawnResult>> futures = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                futures.add(k.spawner().spawn(SpawnRequest.builder().name("w" + i).teamId("crew")
                        .spawnInfo(OpenClawSpawnInfo.builder().build()).build()));
            }
            int ok = 0, full = 0;
            for (var f : futures) {
                try {
                    f.join();
                    ok++;
                } catch (CompletionException e) {
                    assertInstanceOf(TeamCapacityException.class, e.getCause());
                    full++;
                }
            }
            assertEquals(3, ok);
            assertEquals(17, full);
            assertEquals(3.0, k.spawner().teams().getFirst().cpuInUse());
            List<Long> pids = k.spawner().agents().stream().map(a -> ((LocalBackend) k.spawner()).pid(a.id()).orElseThrow()).toList();
            k.spawner().deleteTeam("crew").join();
            assertTrue(k.spawner().agents().isEmpty());
            for (long pid : pids) assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        }
    }

    @Test
    void cleanupSparesDetachedAgentsAndReapFindsOrphans() throws Exception {
        Path state = tmp.resolve("cleanup");
        long attachedPid, detachedPid;
        String detachedId;
        try (AgentKernel k = kernel(state, null)) {
            SpawnResult attached = spawn(k, "attached");
            SpawnResult detached = k.spawner().spawn(SpawnRequest.builder().name("detached").detached(true)
                    .spawnInfo(OpenClawSpawnInfo.builder().build()).build()).join();
            LocalBackend backend = (LocalBackend) k.spawner();
            attachedPid = backend.pid(attached.agent().id()).orElseThrow();
            detachedPid = backend.pid(detached.agent().id()).orElseThrow();
            detachedId = detached.agent().id();
            assertFalse(Protocol.json().readTree(backend.agentDir(detachedId).configFile().toFile()).has("owner_pid"));
            List<AgentStatus> st = k.status().join();
            assertEquals(2, st.size());
            assertTrue(st.stream().allMatch(s -> s.live() && Boolean.TRUE.equals(s.processAlive()) && s.podPhase() == null));
        }
        assertFalse(ProcessHandle.of(attachedPid).map(ProcessHandle::isAlive).orElse(false), "close() killed the attached agent");
        assertTrue(ProcessHandle.of(detachedPid).map(ProcessHandle::isAlive).orElse(false), "the detached agent survives");
        try {
            LocalStateDir dir = new LocalStateDir(state);
            assertEquals(1, dir.list().size(), "close() removed the stopped agent's directory; the detached one's stays");
            assertTrue(dir.stale().isEmpty(), "detached agents are not stale");
            // Pretend its kernel died: the record now names an owner that no longer runs.
            AgentDir agentDir = new AgentDir(state.resolve("agents").resolve(detachedId));
            AgentRecord rec = agentDir.readRecord();
            Process gone = new ProcessBuilder("true").start();
            gone.waitFor();
            agentDir.writeRecord(new AgentRecord(rec.id(), rec.name(), rec.teamId(), rec.agentType(), rec.metadata(), rec.imageId(),
                    rec.state(), rec.pid(), rec.pidStartedAt(), rec.port(), gone.pid(), null, false, rec.created()));
            List<LocalStateDir.Entry> stale = dir.stale();
            assertEquals(1, stale.size());
            assertTrue(stale.getFirst().processAlive() && !stale.getFirst().ownerAlive());
            assertEquals(1, dir.reap(Duration.ofSeconds(2)).size());
            assertFalse(ProcessHandle.of(detachedPid).map(ProcessHandle::isAlive).orElse(false), "reap killed the orphan");
            assertFalse(Files.exists(agentDir.configFile()));
            assertEquals(AgentState.STOPPED, agentDir.readRecord().state());
            assertTrue(dir.stale().isEmpty());
            assertEquals(1, dir.prune());
            assertTrue(dir.list().isEmpty());
        } finally {
            ProcessHandle.of(detachedPid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void stopAllStopsAgentsOfLiveKernelsToo() throws Exception {
        try (AgentKernel k = kernel(tmp.resolve("stopall"), null)) {
            SpawnResult a = spawn(k, "a");
            SpawnResult b = k.spawner().spawn(SpawnRequest.builder().name("b").detached(true).spawnInfo(OpenClawSpawnInfo.builder().build()).build()).join();
            List<Long> pids = List.of(((LocalBackend) k.spawner()).pid(a.agent().id()).orElseThrow(), ((LocalBackend) k.spawner()).pid(b.agent().id()).orElseThrow());
            LocalStateDir dir = new LocalStateDir(k.stateDir());
            assertTrue(dir.stale().isEmpty());
            assertEquals(2, dir.stopAll(Duration.ofSeconds(2)).size());
            for (long pid : pids) assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            assertTrue(dir.list().stream().allMatch(e -> e.record().state() == AgentState.STOPPED && !Files.exists(e.dir().resolve("config.json"))));
            assertTrue(dir.stopAll(Duration.ofSeconds(1)).isEmpty(), "nothing left to stop");
        }
    }

    @Test
    void closingWhileASpawnIsInFlightLeavesNoProcess() throws Exception {
        AgentKernel k = kernel(tmp.resolve("closing"), null);
        CompletableFuture<SpawnResult> inFlight = k.spawner().spawn(SpawnRequest.builder().name("late")
                .spawnInfo(OpenClawSpawnInfo.builder().build()).build());
        // Let the runner process start, then close before (or while) it becomes ready.
        LocalBackendTest.sleep(150);
        k.close();
        assertTrue(inFlight.isDone(), "close() waited for the spawn in flight");
        assertTrue(ProcessTreeKill.workingIn(k.stateDir()).isEmpty(), "no runner left in the state dir");
        assertTrue(k.spawner().agents().isEmpty());
    }

    @Test
    void agentbusSettingsReachTheRunnerConfig() throws Exception {
        SpawnResult r = kernel.spawner().spawn(SpawnRequest.builder().name("bus").agentbus(dev.agentkernel.AgentBusConfig.builder().port(0).disableSafety(true).build())
                .spawnInfo(OpenClawSpawnInfo.builder().build()).build()).join();
        try {
            JsonNode cfg = Protocol.json().readTree(((LocalBackend) kernel.spawner()).agentDir(r.agent().id()).configFile().toFile());
            int port = cfg.get("agentbus_port").asInt();
            assertTrue(port > 0, "port(0) picked a free port");
            assertEquals("http://127.0.0.1:" + port, cfg.get("agentbus_url").asText());
            assertTrue(cfg.get("disable_safety").asBoolean());
        } finally {
            kernel.spawner().kill(r.agent().id()).join();
        }
    }

    @Test
    void closeRemovesTheDirectoriesOfTheAgentsItStoppedUnlessKeepIsAsked() throws Exception {
        Path state = tmp.resolve("close-state");
        Path agents = state.resolve("agents");
        AgentKernel k = kernel(state, null);
        SpawnResult one = spawn(k, "one");
        SpawnResult two = spawn(k, "two");
        k.spawner().kill(two.agent().id()).join();
        assertTrue(Files.isDirectory(agents.resolve(two.agent().id())), "kill keeps the directory while the kernel lives");
        k.close();
        assertFalse(Files.exists(agents.resolve(one.agent().id())), "close() removes the directory of an agent it stopped");
        assertFalse(Files.exists(agents.resolve(two.agent().id())), "and of one killed earlier");

        AgentKernel keeping = AgentKernel.builder().plugin(new OpenClawPlugin()).stateDir(state).keepAgentDirs(true)
                .hostEnv(Map.of("OPENCLAW_RUNNER_BIN", runnerScript.toString())).spawnTimeout(Duration.ofSeconds(30)).build();
        SpawnResult kept = spawn(keeping, "kept");
        keeping.close();
        assertTrue(Files.isRegularFile(agents.resolve(kept.agent().id()).resolve("agent.json")), "keepAgentDirs(true) keeps it");

        AgentKernel overload = kernel(state, null);
        SpawnResult keptToo = spawn(overload, "kept-too");
        overload.close(true);
        assertTrue(Files.isRegularFile(agents.resolve(keptToo.agent().id()).resolve("agent.json")), "close(true) keeps it");
    }

    @Test
    void agentEnvForwardsOnlyTheKeysAndBasics() {
        Map<String, String> host = Map.of("LLM_API_KEY", "k", "OPENAI_API_KEY", "o", "AWS_SECRET", "no", "PATH", "/bin");
        Map<String, String> env = LocalBackend.agentEnv(host, Map.of("EXTRA", "1"), "anthropic");
        assertEquals("k", env.get("LLM_API_KEY"));
        assertEquals("/bin", env.get("PATH"));
        assertEquals("1", env.get("EXTRA"));
        assertFalse(env.containsKey("AWS_SECRET"));
        assertFalse(env.containsKey("OPENAI_API_KEY"), "an anthropic agent gets no OpenAI key");
        assertEquals("o", LocalBackend.agentEnv(host, Map.of(), "openai").get("OPENAI_API_KEY"), "an openai agent does");
        assertFalse(LocalBackend.agentEnv(Map.of(), Map.of(), null).containsKey("LLM_API_KEY"));
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
