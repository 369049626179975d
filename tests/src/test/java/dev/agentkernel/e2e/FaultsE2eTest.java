package dev.agentkernel.e2e;

import dev.agentkernel.AgentBusyException;
import dev.agentkernel.AgentKernel;
import dev.agentkernel.AgentNotFoundException;
import dev.agentkernel.CreateTeamRequest;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.NonceRejectedException;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnFailedException;
import dev.agentkernel.SpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.TeamCapacityException;
import dev.agentkernel.TeamNotFoundException;
import dev.agentkernel.TurnFailedException;
import dev.agentkernel.TurnRequest;
import dev.agentkernel.TurnResponse;
import dev.agentkernel.TurnStream;
import dev.agentkernel.UnknownAgentTypeException;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.fakellm.junit.FakeLlm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.agentkernel.e2e.E2e.*;
import static org.junit.jupiter.api.Assertions.*;

/** The fault list: bad requests, broken runners, taken ports, busy, killed and crashed agents, wrong nonces. */
@Timeout(180)
class FaultsE2eTest {

    @TempDir static Path tmp;
    @FakeLlm static FakeLlmServer llm;
    @Kernel static AgentKernel kernel;

    @Test
    void badRequestsAreRefusedBeforeAnythingStarts() throws Exception {
        Throwable empty = cause(() -> kernel.spawner().spawn(SpawnRequest.builder().name("").spawnInfo(info(llm).build()).build()).join());
        assertInstanceOf(InvalidRequestException.class, empty);
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        Throwable invalid = cause(() -> kernel.spawner().spawn(SpawnRequest.builder().name("../etc").spawnInfo(info(llm).build()).build()).join());
        assertInstanceOf(InvalidRequestException.class, invalid);
        assertTrue(invalid.getMessage().contains("letters, digits"), invalid.getMessage());

        Throwable type = cause(() -> kernel.spawner().spawn(SpawnRequest.builder().name("x").agentType("codex").spawnInfo(info(llm).build()).build()).join());
        assertInstanceOf(UnknownAgentTypeException.class, type);
        assertTrue(type.getMessage().contains("codex") && type.getMessage().contains("registered types: openclaw"), type.getMessage());

        record ForeignInfo(String agentType) implements SpawnInfo {}
        Throwable wrong = cause(() -> kernel.spawner().spawn(SpawnRequest.builder().name("x").spawnInfo(new ForeignInfo("openclaw")).build()).join());
        assertInstanceOf(InvalidRequestException.class, wrong);
        assertTrue(wrong.getMessage().contains("OpenClawSpawnInfo") && wrong.getMessage().contains("ForeignInfo"), wrong.getMessage());

        kernel.spawner().createTeam(new CreateTeamRequest("tiny", Map.of("cpu", "500m"))).join();
        Throwable team = cause(() -> kernel.spawner().spawn(SpawnRequest.builder().name("x").teamId("ghosts").spawnInfo(info(llm).build()).build()).join());
        assertInstanceOf(TeamNotFoundException.class, team);
        assertTrue(team.getMessage().contains("ghosts") && team.getMessage().contains("tiny"), team.getMessage());
        Throwable full = cause(() -> kernel.spawner().spawn(SpawnRequest.builder().name("x").teamId("tiny").spawnInfo(info(llm).build()).build()).join());
        assertInstanceOf(TeamCapacityException.class, full);
        assertTrue(full.getMessage().contains("tiny") && full.getMessage().contains("capacity 0.5 cpu") && full.getMessage().contains("requested 1 cpu"), full.getMessage());
        assertInstanceOf(InvalidRequestException.class, cause(() -> kernel.spawner().createTeam(new CreateTeamRequest("neg", Map.of("cpu", -1))).join()));
        assertInstanceOf(InvalidRequestException.class, cause(() -> kernel.spawner().createTeam(new CreateTeamRequest("mem", Map.of("cpu", 1, "memory", "2 lots"))).join()));
        kernel.spawner().deleteTeam("tiny").join();

        Throwable provider = cause(() -> kernel.spawner().spawn(SpawnRequest.builder().name("x").spawnInfo(info(llm).provider("gemini").build()).build()).join());
        assertInstanceOf(InvalidRequestException.class, provider);
        Throwable thinking = cause(() -> kernel.spawner().spawn(SpawnRequest.builder().name("x").spawnInfo(info(llm).thinkingLevel("extreme").build()).build()).join());
        assertInstanceOf(InvalidRequestException.class, thinking);
        assertEquals(List.of(), agentDirs(kernel.stateDir()), "refused spawns leave no files");
    }

    @Test
    void missingApiKeyFailsTheTurnNamingTheVariable() {
        SpawnResult r = kernel.spawner().spawn(SpawnRequest.builder().name("keyless")
                .spawnInfo(OpenClawSpawnInfo.builder().baseUrl(llm.anthropicBaseUrl()).build()).build()).join();
        try {
            TurnFailedException e = assertThrows(TurnFailedException.class, () -> kernel.ask(r.agent().id(), r.nonce(), "hello?"));
            assertTrue(e.getMessage().contains("LLM_API_KEY"), e.getMessage());
        } finally {
            kernel.spawner().kill(r.agent().id()).join();
        }
    }

    @Test
    void providerErrorsArriveAsErrorChunks() {
        SpawnResult r = spawn(kernel, "provider-errors", llm);
        try {
            TurnFailedException e = assertThrows(TurnFailedException.class, () -> kernel.ask(r.agent().id(), r.nonce(), "[[error: 400]]"));
            assertTrue(e.getMessage().contains("provider-errors"), e.getMessage());
            assertEquals("Echo: still fine", kernel.ask(r.agent().id(), r.nonce(), "still fine"));
        } finally {
            kernel.spawner().kill(r.agent().id()).join();
        }
    }

    @Test
    void runnerBinaryThatDoesNotExistOrDiesAtOnce() throws Exception {
        try (AgentKernel k = E2e.kernel(tmp.resolve("missing-bin"), Map.of("OPENCLAW_RUNNER_BIN", tmp.resolve("no-such-runner").toString()))) {
            Throwable e = cause(() -> spawn(k, "nobody", llm));
            assertInstanceOf(SpawnFailedException.class, e);
            assertTrue(e.getMessage().contains("OPENCLAW_RUNNER_BIN") && e.getMessage().contains("no-such-runner"), e.getMessage());
            assertEquals(List.of(), agentDirs(k.stateDir()));
        }
        Path dies = script(tmp, "dies.sh", "echo 'runner: bad moon rising' >&2\nexit 1\n");
        try (AgentKernel k = E2e.kernel(tmp.resolve("dies"), Map.of("OPENCLAW_RUNNER_BIN", dies.toString()))) {
            k.spawner().createTeam(new CreateTeamRequest("t", Map.of("cpu", 1))).join();
            Throwable e = cause(() -> k.spawner().spawn(SpawnRequest.builder().name("doomed").teamId("t").spawnInfo(info(llm).build()).build()).join());
            assertInstanceOf(SpawnFailedException.class, e);
            assertTrue(e.getMessage().contains("exited with code 1") && e.getMessage().contains("runner: bad moon rising"), e.getMessage());
            assertEquals(List.of("runner: bad moon rising"), ((SpawnFailedException) e).stderrTail());
            assertEquals(List.of(), agentDirs(k.stateDir()), "no stray files for a failed spawn");
            assertEquals(0.0, k.spawner().teams().getFirst().cpuInUse(), "capacity given back");
            assertTrue(k.spawner().agents().isEmpty());
        }
    }

    @Test
    void takenPortIsRetriedByTheRealRunner() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            AtomicInteger calls = new AtomicInteger();
            try (AgentKernel k = AgentKernel.builder().plugin(new OpenClawPlugin()).stateDir(tmp.resolve("port")).hostEnv(Map.of())
                    .portSource(() -> calls.getAndIncrement() == 0 ? taken.getLocalPort() : dev.agentkernel.spawn.local.LoopbackPorts.free())
                    .build()) {
                SpawnResult r = spawn(k, "second-try", llm);
                assertEquals(2, calls.get());
                assertEquals("Echo: ok", k.ask(r.agent().id(), r.nonce(), "ok"));
                String err = Files.readString(agentDir(k, r.agent().id()).resolve("runner.err"));
                assertTrue(err.contains(String.valueOf(taken.getLocalPort())), err);
            }
        }
    }

    @Test
    void runnerScriptReportingPortInUseIsRetried() throws Exception {
        Path marker = tmp.resolve("port-marker");
        Path bin = script(tmp, "port-once.sh", "if [ ! -e '" + marker + "' ]; then touch '" + marker + "'; echo 'port in use' >&2; exit 3; fi\n"
                + "exec '" + java() + "' -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp '" + runnerJar() + "' dev.agentkernel.runner.RunnerMain \"$@\"\n");
        try (AgentKernel k = E2e.kernel(tmp.resolve("port2"), Map.of("OPENCLAW_RUNNER_BIN", bin.toString()))) {
            SpawnResult r = spawn(k, "retried", llm);
            assertTrue(Files.exists(marker));
            assertEquals("Echo: after retry", k.ask(r.agent().id(), r.nonce(), "after retry"));
        }
        Path always = script(tmp, "port-always.sh", "echo 'port in use' >&2\nexit 3\n");
        try (AgentKernel k = E2e.kernel(tmp.resolve("port3"), Map.of("OPENCLAW_RUNNER_BIN", always.toString()))) {
            Throwable e = cause(() -> spawn(k, "never", llm));
            assertInstanceOf(SpawnFailedException.class, e);
            assertTrue(e.getMessage().contains("port taken 3 times"), e.getMessage());
            assertEquals(List.of(), agentDirs(k.stateDir()));
        }
    }

    @Test
    void wrongNonceAndMalformedBody() {
        SpawnResult a = spawn(kernel, "guarded", llm);
        SpawnResult b = spawn(kernel, "other", llm);
        try {
            NonceRejectedException e = assertThrows(NonceRejectedException.class, () -> kernel.ask(a.agent().id(), b.nonce(), "let me in"));
            assertTrue(e.getMessage().contains("guarded") && e.getMessage().contains("401"), e.getMessage());
            assertThrows(NonceRejectedException.class, () -> kernel.ask(a.agent().id(), "", "no nonce"));
            InvalidRequestException bad = assertThrows(InvalidRequestException.class, () -> kernel.agentClient()
                    .turn(new TurnRequest(a.agent().id(), a.nonce(), "{\"messages\": 42}".getBytes(StandardCharsets.UTF_8))));
            assertTrue(bad.getMessage().contains("400") && bad.getMessage().contains("guarded")
                    && bad.getMessage().contains("malformed turn request"), "quotes the runner's error: " + bad.getMessage());
            InvalidRequestException notJson = assertThrows(InvalidRequestException.class, () -> kernel.agentClient()
                    .turn(new TurnRequest(a.agent().id(), a.nonce(), "not json".getBytes(StandardCharsets.UTF_8))));
            assertTrue(notJson.getMessage().contains("not JSON"), notJson.getMessage());
            assertEquals("Echo: fine", kernel.ask(a.agent().id(), a.nonce(), "fine"));
        } finally {
            kernel.spawner().kill(a.agent().id()).join();
            kernel.spawner().kill(b.agent().id()).join();
        }
    }

    @Test
    void turnToAKilledAgentIsNotFound() {
        SpawnResult r = spawn(kernel, "short-lived", llm);
        kernel.spawner().kill(r.agent().id()).join();
        AgentNotFoundException e = assertThrows(AgentNotFoundException.class, () -> kernel.ask(r.agent().id(), r.nonce(), "hello?"));
        assertTrue(e.getMessage().contains("short-lived") && e.getMessage().contains("killed"), e.getMessage());
        assertInstanceOf(AgentNotFoundException.class, cause(() -> kernel.agentClient().getHistory(r.agent().id()).join()));
        assertInstanceOf(AgentNotFoundException.class, cause(() -> kernel.spawner().kill(r.agent().id()).join()));
        assertThrows(AgentNotFoundException.class, () -> kernel.ask("no-such-id", r.nonce(), "hello?"));
    }

    @Test
    void twoTurnsAtOnceAndClosingCancelsTheToolProcess() throws Exception {
        SpawnResult r = spawn(kernel, "busy", llm);
        String id = r.agent().id();
        long runner = pid(kernel, id);
        try {
            TurnStream first = kernel.agentClient().turn(TurnRequest.userMessage(id, r.nonce(), "[[bash: sleep 30]]"));
            Iterator<TurnResponse> it = first.iterator();
            TurnResponse chunk;
            do {
                chunk = it.next();
            } while (!chunk.isToolUse());
            assertTrue(waitUntil(Duration.ofSeconds(10), () -> sleepUnder(runner).isPresent()), "the bash tool runs sleep");
            ProcessHandle sleep = sleepUnder(runner).orElseThrow();

            AgentBusyException busy = assertThrows(AgentBusyException.class, () -> kernel.ask(id, r.nonce(), "me too"));
            assertTrue(busy.getMessage().contains("busy") || busy.getMessage().contains("already running a turn"), busy.getMessage());

            first.close();
            assertTrue(waitUntil(Duration.ofSeconds(10), () -> !sleep.isAlive()), "closing the stream killed the tool's sleep");
            assertTrue(alive(runner), "the agent itself keeps running");
            assertTrue(waitUntil(Duration.ofSeconds(10), () -> {
                try {
                    return kernel.ask(id, r.nonce(), "next").equals("Echo: next");
                } catch (AgentBusyException stillWindingDown) {
                    return false;
                }
            }), "the agent takes turns again after the cancel");
        } finally {
            kernel.spawner().kill(id).join();
        }
    }

    @Test
    void agentKilledMidTurnEndsTheStreamWithAnError() {
        // kill(): the runner gets TERM, ends the turn with its own error event, and exits.
        List<TurnResponse> chunks = turnKilledMidway("killed-by-kernel", id -> kernel.spawner().kill(id).join());
        assertNotNull(chunks.getLast().error(), chunks.toString());
    }

    @Test
    void agentCrashingMidTurnEndsTheStreamWithConnectionLost() {
        // kill -9: no last words from the runner; the client notices the connection and the process are gone.
        List<TurnResponse> chunks = turnKilledMidway("crashed", id -> ProcessHandle.of(pid(kernel, id)).orElseThrow().destroyForcibly());
        String error = chunks.getLast().error();
        assertTrue(error.contains("connection to agent 'crashed'") && error.contains("lost"), error);
    }

    private List<TurnResponse> turnKilledMidway(String name, java.util.function.Consumer<String> killer) {
        SpawnResult r = spawn(kernel, name, llm);
        String id = r.agent().id();
        List<Long> pids = tree(pid(kernel, id));
        List<TurnResponse> chunks = new ArrayList<>();
        long start = System.nanoTime();
        CompletableFuture<Void> killed = null;
        try (TurnStream s = kernel.agentClient().turn(TurnRequest.userMessage(id, r.nonce(), "[[bash: sleep 30]]"))) {
            for (TurnResponse c : s) {
                chunks.add(c);
                if (c.isToolUse() && killed == null) {
                    waitUntil(Duration.ofSeconds(10), () -> sleepUnder(pids.getFirst()).isPresent());
                    pids.addAll(tree(pids.getFirst()));
                    killed = CompletableFuture.runAsync(() -> killer.accept(id));
                }
            }
        } finally {
            if (killed != null) killed.join();
            if (kernel.spawner().agents().stream().anyMatch(a -> a.id().equals(id))) kernel.spawner().kill(id).join();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.toSeconds() < 15, "the stream ended in " + took);
        TurnResponse last = chunks.getLast();
        assertTrue(last.done(), chunks.toString());
        assertEquals(1, chunks.stream().filter(c -> c.done() || c.error() != null).count(), chunks.toString());
        assertAllDead(pids);
        return chunks;
    }

    static Optional<ProcessHandle> sleepUnder(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.descendants()
                .filter(d -> d.info().command().map(c -> c.endsWith("/sleep")).orElse(false)).findFirst());
    }
}
