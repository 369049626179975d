package dev.agentkernel;

import dev.agentkernel.spawn.local.LocalStateDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The kernel's wiring and every spawn failure that needs no working runner. */
class AgentKernelTest {

    @TempDir Path tmp;
    private AgentKernel kernel;

    @BeforeEach
    void setUp() {
        kernel = AgentKernel.builder().plugin(new OpenClawPlugin()).stateDir(tmp.resolve("state"))
                .hostEnv(Map.of()).spawnTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void tearDown() {
        kernel.close();
    }

    static Throwable cause(Runnable r) {
        CompletionException e = assertThrows(CompletionException.class, r::run);
        return e.getCause();
    }

    private static SpawnRequest.Builder request(String name) {
        return SpawnRequest.builder().name(name).spawnInfo(OpenClawSpawnInfo.builder().apiKey("k").build());
    }

    @Test
    void defaultsAreLocalAndTheGivenStateDir() {
        assertEquals("local", kernel.backend());
        assertEquals(tmp.resolve("state").toAbsolutePath(), kernel.stateDir());
        assertTrue(kernel.spawner().agents().isEmpty());
        assertTrue(kernel.status().join().isEmpty());
    }

    /**
     * build() leaves the HTTP clients and JSON mapper to a daemon warm-up thread, so a first spawn can start its runner
     * without them: that thread must end on its own, write nothing, and never keep a JVM alive.
     */
    @Test
    void theWarmUpThreadEndsOnItsOwnAndWritesNothing() throws Exception {
        Path state = tmp.resolve("warm-state");
        try (AgentKernel k = AgentKernel.builder().stateDir(state).build()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            List<Thread> warmUps;
            do {
                warmUps = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("agentkernel-warm-up")).toList();
                assertTrue(warmUps.stream().allMatch(Thread::isDaemon), "a warm-up never holds the JVM open");
                if (warmUps.isEmpty()) break;
                Thread.sleep(20);
            } while (System.nanoTime() < deadline);
            assertTrue(warmUps.isEmpty(), "the warm-up thread is still running after 30 s");
            if (!Files.exists(state)) return;
            try (Stream<Path> files = Files.walk(state)) {
                List<Path> written = files.filter(Files::isRegularFile).toList();
                assertEquals(List.of(), written, "the warm-up wrote files");
            }
        }
    }

    @Test
    void stateDirFollowsAgentkernelHome() {
        try (AgentKernel k = AgentKernel.builder().hostEnv(Map.of("AGENTKERNEL_HOME", tmp.resolve("home").toString())).build()) {
            assertEquals(tmp.resolve("home").toAbsolutePath(), k.stateDir());
        }
        assertEquals(Path.of(System.getProperty("user.home"), ".agentkernel"), LocalStateDir.defaultPath(Map.of()));
    }

    @Test
    void otherBackendsAreNotAvailableYet() {
        for (String b : List.of("kubernetes")) {
            ConfigException e = assertThrows(ConfigException.class, () -> AgentKernel.builder().backend(b).build());
            assertTrue(e.getMessage().contains(b) && e.getMessage().contains("not available in this build yet")
                    && e.getMessage().contains("\"local\""), e.getMessage());
        }
        ConfigException unknown = assertThrows(ConfigException.class, () -> AgentKernel.builder().backend("docker").build());
        assertTrue(unknown.getMessage().contains("docker") && unknown.getMessage().contains("local, "), unknown.getMessage());
        // The sandbox backend (and its alias) ship in the kernel jar; "recording" is this module's test factory.
        assertEquals(java.util.Set.of("local", "recording", "sandbox", "bwrap"), java.util.Set.copyOf(AgentKernel.availableBackends()));
        assertEquals("local", AgentKernel.availableBackends().getFirst());
    }

    @Test
    void otherBackendsComeFromServiceLoader() throws Exception {
        Path yaml = tmp.resolve("rec.yaml");
        Files.writeString(yaml, "backend: recording\nnamespace: ns-1\nspawn_timeout_seconds: 9\n");
        try (AgentKernel k = AgentKernel.builder().config(yaml).plugin(new OpenClawPlugin()).stateDir(tmp.resolve("rec")).hostEnv(Map.of("A", "b")).build()) {
            assertEquals("recording", k.backend());
            var ctx = RecordingBackendFactory.lastContext;
            assertEquals("ns-1", ctx.config().namespace());
            assertEquals(Duration.ofSeconds(9), ctx.spawnTimeout());
            assertEquals(Map.of("A", "b"), ctx.hostEnv());
            assertEquals(List.of("openclaw"), ctx.plugins().types());
            assertEquals(tmp.resolve("rec").toAbsolutePath(), ctx.stateDir());
        }
    }

    @Test
    void unknownImageIsRefusedNamingTheFix() {
        Throwable e = cause(() -> kernel.spawner().spawn(request("a").imageId("img-404").build()).join());
        assertInstanceOf(InvalidRequestException.class, e);
        assertTrue(e.getMessage().contains("img-404") && e.getMessage().contains("createAgentImage"), e.getMessage());
    }

    @Test
    void fromConfigReadsYaml() throws Exception {
        Path yaml = tmp.resolve("k.yaml");
        Files.writeString(yaml, "backend: local\nstate_dir: " + tmp.resolve("fromyaml") + "\nspawn_timeout_seconds: 7\ndebug: true\n");
        try (AgentKernel k = AgentKernel.fromConfig(yaml, new OpenClawPlugin())) {
            assertEquals(tmp.resolve("fromyaml").toAbsolutePath(), k.stateDir());
            assertEquals(7, k.config().spawnTimeoutSeconds());
            assertTrue(k.config().debug());
        }
        Files.writeString(yaml, "backend: kubernetes\nnamespace: agentkernel-0\n");
        assertThrows(ConfigException.class, () -> AgentKernel.fromConfig(yaml.toString(), new OpenClawPlugin()));
        ConfigException missing = assertThrows(ConfigException.class, () -> AgentKernel.fromConfig(tmp.resolve("none.yaml")));
        assertTrue(missing.getMessage().contains("none.yaml"));
    }

    @Test
    void unknownAgentTypeListsRegisteredTypes() {
        Throwable e = cause(() -> kernel.spawner().spawn(request("a").agentType("claude-code").build()).join());
        assertInstanceOf(UnknownAgentTypeException.class, e);
        assertTrue(e.getMessage().contains("claude-code") && e.getMessage().contains("openclaw"), e.getMessage());
    }

    @Test
    void wrongSpawnInfoClassNamesBothClasses() {
        record OtherInfo(String agentType) implements SpawnInfo {}
        Throwable e = cause(() -> kernel.spawner().spawn(SpawnRequest.builder().name("a").agentType("openclaw")
                .spawnInfo(new OtherInfo("openclaw")).build()).join());
        assertInstanceOf(InvalidRequestException.class, e);
        assertTrue(e.getMessage().contains(OpenClawSpawnInfo.class.getName()) && e.getMessage().contains(OtherInfo.class.getName()), e.getMessage());
        Throwable none = cause(() -> kernel.spawner().spawn(SpawnRequest.builder().name("a").build()).join());
        assertInstanceOf(InvalidRequestException.class, none);
    }

    @Test
    void badNamesAreRefused() {
        assertInstanceOf(InvalidRequestException.class, cause(() -> kernel.spawner().spawn(request("").build()).join()));
        assertInstanceOf(InvalidRequestException.class, cause(() -> kernel.spawner().spawn(request("no spaces").build()).join()));
    }

    @Test
    void teamsAreCreatedListedAndChecked() {
        Team t = kernel.spawner().createTeam(new CreateTeamRequest("analysis-team", Map.of("cpu", 4))).join();
        assertEquals(4.0, t.cpu());
        assertEquals(List.of("analysis-team"), kernel.spawner().teams().stream().map(Team::id).toList());
        Throwable unknown = cause(() -> kernel.spawner().spawn(request("a").teamId("nope").build()).join());
        assertInstanceOf(TeamNotFoundException.class, unknown);
        assertTrue(unknown.getMessage().contains("analysis-team"), unknown.getMessage());
        Throwable tooBig = cause(() -> kernel.spawner().spawn(request("a").teamId("analysis-team").cpu(5).build()).join());
        assertInstanceOf(TeamCapacityException.class, tooBig);
        assertInstanceOf(InvalidRequestException.class, cause(() -> kernel.spawner().createTeam(new CreateTeamRequest("analysis-team", Map.of("cpu", 1))).join()));
        kernel.spawner().deleteTeam("analysis-team").join();
        assertTrue(kernel.spawner().teams().isEmpty());
        assertInstanceOf(TeamNotFoundException.class, cause(() -> kernel.spawner().deleteTeam("analysis-team").join()));
    }

    @Test
    void runnerThatExitsAtOnceFailsWithItsStderrAndLeavesNothing() throws Exception {
        Path bin = script("dies.sh", "#!/bin/sh\necho \"runner: cannot do it ($1 $2)\" >&2\nexit 7\n");
        try (AgentKernel k = kernelWith(Map.of("OPENCLAW_RUNNER_BIN", bin.toString()))) {
            k.spawner().createTeam(new CreateTeamRequest("t", Map.of("cpu", 1))).join();
            Throwable e = cause(() -> k.spawner().spawn(request("doomed").teamId("t").build()).join());
            assertInstanceOf(SpawnFailedException.class, e);
            assertTrue(e.getMessage().contains("exited with code 7") && e.getMessage().contains("runner: cannot do it (--config"), e.getMessage());
            assertTrue(((SpawnFailedException) e).stderrTail().getFirst().startsWith("runner: cannot do it"));
            assertNoAgentDirs(k.stateDir());
            assertEquals(0.0, k.spawner().teams().getFirst().cpuInUse(), "capacity is given back");
            assertTrue(k.spawner().agents().isEmpty());
        }
    }

    @Test
    void runnerThatNeverGetsReadyTimesOutAndIsKilled() throws Exception {
        Path pidFile = tmp.resolve("pid");
        Path bin = script("hangs.sh", "#!/bin/sh\necho $$ > " + pidFile + "\nexec sleep 30\n");
        try (AgentKernel k = AgentKernel.builder().plugin(new OpenClawPlugin()).stateDir(tmp.resolve("s2"))
                .hostEnv(Map.of("OPENCLAW_RUNNER_BIN", bin.toString())).spawnTimeout(Duration.ofMillis(700)).build()) {
            Throwable e = cause(() -> k.spawner().spawn(request("slow").build()).join());
            assertInstanceOf(SpawnFailedException.class, e);
            assertTrue(e.getMessage().contains("did not answer /health"), e.getMessage());
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the hung runner was killed");
            assertNoAgentDirs(k.stateDir());
        }
    }

    @Test
    void missingRunnerBinaryIsASpawnFailure() throws Exception {
        try (AgentKernel k = kernelWith(Map.of("OPENCLAW_RUNNER_BIN", tmp.resolve("no-such-runner").toString()))) {
            Throwable e = cause(() -> k.spawner().spawn(request("x").build()).join());
            assertInstanceOf(SpawnFailedException.class, e);
            assertTrue(e.getMessage().contains("OPENCLAW_RUNNER_BIN"), e.getMessage());
            assertNoAgentDirs(k.stateDir());
        }
    }

    @Test
    void unknownAgentsAreNotFound() {
        assertInstanceOf(AgentNotFoundException.class, cause(() -> kernel.spawner().kill("nope").join()));
        assertThrows(AgentNotFoundException.class, () -> kernel.agentClient().turn(TurnRequest.userMessage("nope", "n", "hi")));
        assertInstanceOf(AgentNotFoundException.class, cause(() -> kernel.agentClient().getHistory("nope").join()));
        assertInstanceOf(AgentNotFoundException.class, cause(() -> kernel.agentClient().getInfo("nope").join()));
    }

    @Test
    void closeIsIdempotentAndLaterCallsFailClearly() {
        AgentKernel k = kernelWith(Map.of());
        k.close();
        k.close();
        Throwable e = cause(() -> k.spawner().spawn(request("late").build()).join());
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    private AgentKernel kernelWith(Map<String, String> env) {
        return AgentKernel.builder().plugin(new OpenClawPlugin()).stateDir(tmp.resolve("k-" + System.nanoTime()))
                .hostEnv(env).spawnTimeout(Duration.ofSeconds(5)).build();
    }

    private Path script(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    static void assertNoAgentDirs(Path stateDir) throws Exception {
        Path agents = stateDir.resolve("agents");
        if (!Files.exists(agents)) return;
        try (Stream<Path> s = Files.list(agents)) {
            assertEquals(List.of(), s.toList(), "a failed spawn left files behind");
        }
    }

    /** turn(id, message) signs with the kernel's own nonce: an agent it holds no nonce for is refused, saying why. */
    @Test
    void turnWithoutANonceNeedsAnAgentThisKernelSpawned() {
        AgentNotFoundException e = assertThrows(AgentNotFoundException.class, () -> kernel.turn("no-such-agent", "hi"));
        assertTrue(e.getMessage().contains("holds no nonce for agent 'no-such-agent'"), e.getMessage());
        assertTrue(e.getMessage().contains("attach"), e.getMessage());
    }
}
