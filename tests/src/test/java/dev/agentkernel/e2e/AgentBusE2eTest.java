package dev.agentkernel.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.AgentBusConfig;
import dev.agentkernel.AgentKernel;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.NonceRejectedException;
import dev.agentkernel.SpawnFailedException;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.bus.AgentBusClient;
import dev.agentkernel.bus.BusEntry;
import dev.agentkernel.examples.AgentbusDemo;
import dev.agentkernel.examples.LlmSetup;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.fakellm.junit.FakeLlm;
import dev.agentkernel.protocol.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.agentkernel.e2e.E2e.*;
import static org.junit.jupiter.api.Assertions.*;

/** The AgentBus through the kernel and the real runner jar, against the scripted LLM server. */
@Timeout(180)
class AgentBusE2eTest {
    @FakeLlm static FakeLlmServer llm;
    @TempDir Path tmp;

    private static SpawnResult spawnWithBus(AgentKernel kernel, String name, AgentBusConfig bus, Map<String, String> env) {
        return kernel.spawner().spawn(SpawnRequest.builder().name(name).spawnInfo(info(llm).build()).env(env).agentbus(bus).build()).join();
    }

    private static List<String> types(List<BusEntry> entries) {
        return entries.stream().map(BusEntry::type).toList();
    }

    @Test
    void theDemoRunsARejectedCommandProvablyNeverRanAndPrintsTheAuditLog() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        AgentbusDemo.Outcome outcome;
        try (AgentKernel kernel = kernel(tmp.resolve("state"), Map.of()); LlmSetup offline = LlmSetup.offline(out)) {
            outcome = AgentbusDemo.run(kernel, offline, out, home);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(home.resolve("precious.txt"), outcome.plantedFile());
        assertTrue(Files.exists(home.resolve("precious.txt")), "rm -rf ~ was rejected before it ran:\n" + printed);
        assertTrue(outcome.plantedFileSurvived() && outcome.dangerousCommandBlocked(), printed);
        assertTrue(printed.contains("precious.txt is still there: true"), printed);
        assertTrue(printed.contains("rule rm-home"), printed);
        assertTrue(printed.contains("HOME=" + home), "the safe command ran in the throwaway home:\n" + printed);
        List<String> types = types(outcome.audit());
        assertEquals(2, types.stream().filter(BusEntry.INTENTION::equals).count(), types.toString());
        assertEquals(1, types.stream().filter(BusEntry.ACTION_OUTPUT::equals).count(), "only the safe command ran: " + types);
        assertTrue(printed.contains("COMMIT") && printed.contains("ABORT"), printed);
    }

    /**
     * Issue 12's red-team commands through a real agent: the runner process, its bash tool and its gate, with
     * the agent's HOME a throwaway directory holding files. Each is refused before it runs (every file stays);
     * the decode-and-run one needs a vote, which no voter gives, so it is refused too.
     */
    @Test
    void plainShellWaysToEmptyTheHomeDirectoryAreStoppedBeforeTheyRun() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path precious = Files.writeString(home.resolve("precious.txt"), "keep me");
        Path nested = Files.writeString(Files.createDirectories(home.resolve("projects")).resolve("notes.md"), "keep me too");
        try (AgentKernel kernel = kernel(tmp.resolve("state"), Map.of())) {
            SpawnResult r = spawnWithBus(kernel, "redteam", AgentBusConfig.builder().port(0).build(), Map.of("HOME", home.toString()));
            String id = r.agent().id();
            // never send these unless the agent's HOME is provably the throwaway directory
            assertTrue(kernel.ask(id, r.nonce(), "[[bash: echo HOME=$HOME]]").contains("HOME=" + home), "the agent's HOME is the throwaway");
            List<String> commands = List.of(
                    "find ~ -delete",
                    "find $HOME -exec rm {} +",
                    "cd ~; rm -rf *",
                    "D=$HOME; rm -rf $D",
                    "echo ~ | xargs rm -rf",
                    "python3 -c 'import shutil, os; shutil.rmtree(os.path.expanduser(\"~\"))'",
                    "truncate -s0 ~/precious.txt",
                    "echo cm0gLXJmIH4vKg== | base64 -d | sh");
            for (String command : commands) {
                String answer = kernel.ask(id, r.nonce(), "[[bash: " + command + "]]");
                assertTrue(answer.contains("blocked by the AgentBus safety gate"), command + " -> " + answer);
                assertEquals("keep me", Files.readString(precious), "never ran: " + command);
                assertEquals("keep me too", Files.readString(nested), "never ran: " + command);
            }
            List<BusEntry> entries = kernel.bus(id).entries(0);
            assertEquals(commands.size() + 1, entries.stream().filter(e -> e.type().equals(BusEntry.INTENTION)).count());
            assertEquals(1, entries.stream().filter(e -> e.type().equals(BusEntry.ACTION_OUTPUT)).count(), "only echo HOME ran");
            assertEquals(commands.size(), entries.stream().filter(e -> e.type().equals(BusEntry.DECISION)
                    && e.payload().path("decision").asText().equals("abort")).count());
            // an everyday deletion inside the workspace still runs
            assertFalse(kernel.ask(id, r.nonce(), "[[bash: mkdir -p build/x && rm -rf build && echo cleaned]]").contains("blocked"));
        }
    }

    @Test
    void kernelBusReadsATurnInOrderFollowsItAndRefusesAWrongNonce() throws Exception {
        try (AgentKernel kernel = kernel(tmp.resolve("state"), Map.of())) {
            SpawnResult r = spawnWithBus(kernel, "logged", AgentBusConfig.builder().port(0).build(), Map.of());
            String id = r.agent().id();
            assertEquals("Tool result: hi", kernel.ask(id, r.nonce(), "[[bash: echo hi]]").strip().lines().reduce((a, b) -> b).orElse(""));
            AgentBusClient bus = kernel.bus(id);
            assertEquals("logged." + id, bus.busId());
            List<BusEntry> entries = bus.entries(0);
            assertEquals(List.of("inference_input", "inference_output", "intention", "decision", "action_output",
                    "inference_input", "inference_output"), types(entries));
            assertEquals("hi", entries.get(4).payload().path("output").asText().strip());
            assertEquals(entries.get(2).intentionId(), entries.get(3).intentionId());

            // follow: the next turn's entries arrive as they are written
            List<BusEntry> followed = new ArrayList<>();
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                for (BusEntry e : bus.follow(entries.size())) {
                    followed.add(e);
                    if (e.type().equals(BusEntry.INFERENCE_OUTPUT) && e.payload().path("tool_calls").isEmpty()) break;
                }
            });
            kernel.ask(id, r.nonce(), "hello bus");
            reader.get(30, TimeUnit.SECONDS);
            assertEquals(List.of("inference_input", "inference_output"), types(followed));
            assertEquals(entries.size(), followed.getFirst().position());

            long t0 = System.nanoTime();
            assertEquals(List.of(), bus.entries(1000, Duration.ofMillis(200)), "past the end: empty, not an error");
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(190));

            AgentBusClient wrong = AgentBusClient.connect(bus.baseUrl(), bus.busId(), "not-the-nonce");
            NonceRejectedException e = assertThrows(NonceRejectedException.class, () -> wrong.entries(0));
            assertFalse(e.getMessage().contains(r.nonce()));
            InvalidRequestException off = assertThrows(InvalidRequestException.class,
                    () -> kernel.bus(spawn(kernel, "nobus", llm).agent().id()));
            assertTrue(off.getMessage().contains("without the AgentBus"), off.getMessage());
        }
    }

    @Test
    void anExternalApprovalLetsTheCommandRunAndAnUnknownIntentionIsRefused() throws Exception {
        try (AgentKernel kernel = kernel(tmp.resolve("state"), Map.of())) {
            SpawnResult r = spawnWithBus(kernel, "guarded", AgentBusConfig.builder().port(0)
                    .voters(List.of("rules", "external")).voteTimeout(Duration.ofSeconds(30)).build(), Map.of());
            String id = r.agent().id();
            AgentBusClient bus = kernel.bus(id);
            CompletableFuture<String> answer = kernel.askAsync(id, r.nonce(), "[[bash: echo approved > ok.txt && cat ok.txt]]");
            BusEntry found = null;
            for (BusEntry e : bus.follow(0)) {
                if (e.type().equals(BusEntry.INTENTION)) { found = e; break; }
            }
            BusEntry intention = java.util.Objects.requireNonNull(found);
            assertEquals(List.of(intention), bus.pending());
            Path made = agentDir(kernel, id).resolve("workspace/ok.txt");
            assertFalse(Files.exists(made), "nothing runs before the vote");
            InvalidRequestException unknown = assertThrows(InvalidRequestException.class, () -> bus.approve("int-424242"));
            assertTrue(unknown.getMessage().contains("unknown intention"), unknown.getMessage());
            bus.approve(intention.intentionId());
            assertTrue(answer.get(30, TimeUnit.SECONDS).contains("approved"));
            assertEquals("approved", Files.readString(made).strip());
            assertEquals(List.of(), bus.pending());
            InvalidRequestException late = assertThrows(InvalidRequestException.class, () -> bus.reject(intention.intentionId(), "late"));
            assertTrue(late.getMessage().contains("already decided"), late.getMessage());
        }
    }

    @Test
    void aVoterThatNeverAnswersTimesOutAsARejectAndTheTurnGoesOn() throws Exception {
        try (AgentKernel kernel = kernel(tmp.resolve("state"), Map.of())) {
            SpawnResult r = spawnWithBus(kernel, "waiting", AgentBusConfig.builder().port(0)
                    .voters(List.of("external")).voteTimeout(Duration.ofMillis(300)).build(), Map.of());
            String answer = kernel.ask(r.agent().id(), r.nonce(), "[[bash: echo never > never.txt]]");
            assertTrue(answer.contains("blocked by the AgentBus safety gate"), answer);
            assertTrue(answer.contains("no external vote within 300 ms"), answer);
            assertFalse(Files.exists(agentDir(kernel, r.agent().id()).resolve("workspace/never.txt")));
        }
    }

    @Test
    void disableSafetyLogsButDoesNotGate() throws Exception {
        try (AgentKernel kernel = kernel(tmp.resolve("state"), Map.of())) {
            Path outside = Files.writeString(Files.createDirectories(tmp.resolve("outside")).resolve("f.txt"), "x");
            SpawnResult r = spawnWithBus(kernel, "unguarded", AgentBusConfig.builder().port(0).disableSafety(true).build(), Map.of());
            kernel.ask(r.agent().id(), r.nonce(), "[[bash: rm -f " + outside + "]]");
            assertFalse(Files.exists(outside), "without the gate the command runs");
            List<String> types = types(kernel.bus(r.agent().id()).entries(0));
            assertTrue(types.contains(BusEntry.INTENTION) && types.contains(BusEntry.ACTION_OUTPUT), types.toString());
            assertFalse(types.contains(BusEntry.DECISION), types.toString());
        }
    }

    @Test
    void aTakenBusPortFailsTheSpawnNamingThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             AgentKernel kernel = kernel(tmp.resolve("state"), Map.of())) {
            int port = taken.getLocalPort();
            Throwable t = cause(() -> spawnWithBus(kernel, "clash", AgentBusConfig.builder().port(port).build(), Map.of()));
            assertInstanceOf(SpawnFailedException.class, t);
            assertTrue(t.getMessage().contains("agentbus port " + port + " is taken"), t.getMessage());
        }
    }

    @Test
    void aRunnerKilledMidTurnLeavesAnIntactReadableLog() throws Exception {
        try (AgentKernel kernel = kernel(tmp.resolve("state"), Map.of())) {
            SpawnResult r = spawnWithBus(kernel, "crashy", AgentBusConfig.builder().port(0)
                    .voters(List.of("rules", "external")).build(), Map.of());
            String id = r.agent().id();
            AgentBusClient bus = kernel.bus(id);
            CompletableFuture<String> turn = kernel.askAsync(id, r.nonce(), "[[bash: echo never > crash.txt]]");
            for (BusEntry e : bus.follow(0)) if (e.type().equals(BusEntry.INTENTION)) break;
            ProcessHandle.of(pid(kernel, id)).orElseThrow().destroyForcibly();
            assertThrows(Exception.class, () -> turn.get(30, TimeUnit.SECONDS));
            Path log = agentDir(kernel, id).resolve("agentbus.jsonl");
            List<String> lines = Files.readAllLines(log);
            assertEquals(3, lines.size(), lines.toString());
            for (int i = 0; i < lines.size(); i++) {
                JsonNode entry = Protocol.json().readTree(lines.get(i));
                assertEquals(i, entry.get("position").intValue());
            }
            assertEquals("intention", Protocol.json().readTree(lines.get(2)).get("type").asText());
            assertFalse(Files.exists(agentDir(kernel, id).resolve("workspace/crash.txt")));
        }
    }
}
