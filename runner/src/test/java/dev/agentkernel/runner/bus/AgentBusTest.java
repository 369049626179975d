package dev.agentkernel.runner.bus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.fakellm.junit.FakeLlm;
import dev.agentkernel.runner.RunnerClient;
import dev.agentkernel.runner.SseEvent;
import dev.agentkernel.runner.TestRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/** A real runner in this JVM with the bus on, against the scripted LLM: the log, the gate and the bus HTTP API. */
class AgentBusTest {
    @FakeLlm
    static FakeLlmServer llm;
    @TempDir
    Path tmp;

    private TestRunner runner(Consumer<ObjectNode> tweak) {
        return TestRunner.start(tmp.resolve("agent"), TestRunner.config("anthropic", llm.anthropicBaseUrl(), c -> {
            c.put("agentbus_port", 0);
            tweak.accept(c);
        }));
    }

    private static BusTestClient bus(TestRunner agent) {
        return new BusTestClient(agent.runner.busPort(), "tester.agent-test", TestRunner.NONCE);
    }

    private static JsonNode toolResult(List<SseEvent> events) {
        return RunnerClient.named(events, "tool_result").getFirst().data();
    }

    @Test
    void aTurnWithASafeCommandLogsEveryStepInOrder() {
        try (TestRunner agent = runner(c -> {})) {
            List<SseEvent> events = agent.client.turn("[[bash: echo safe > note.txt && cat note.txt]]");
            assertEquals("done", RunnerClient.last(events).name());
            assertFalse(toolResult(events).get("is_error").booleanValue());
            assertTrue(Files.exists(agent.dir.resolve("workspace/note.txt")));

            List<JsonNode> entries = bus(agent).entries(0, 0);
            assertEquals(List.of("inference_input", "inference_output", "intention", "decision", "action_output",
                    "inference_input", "inference_output"), BusTestClient.types(entries));
            for (int i = 0; i < entries.size(); i++) assertEquals(i, entries.get(i).get("position").intValue());
            JsonNode in = entries.get(0).get("payload");
            assertEquals("claude-test", in.get("model").asText());
            assertEquals(1, in.get("messages").intValue());
            assertTrue(in.get("last_user_text").asText().contains("[[bash:"));
            JsonNode out = entries.get(1).get("payload");
            assertEquals("tool_use", out.get("stop_reason").asText());
            assertEquals("echo safe > note.txt && cat note.txt", out.at("/tool_calls/0/input/command").asText());
            assertTrue(out.at("/usage/input_tokens").asLong() > 0);
            String id = entries.get(2).at("/payload/intention_id").asText();
            assertEquals("bash", entries.get(2).at("/payload/tool").asText());
            assertEquals(id, entries.get(3).at("/payload/intention_id").asText());
            assertEquals("commit", entries.get(3).at("/payload/decision").asText());
            assertEquals("first_boolean_wins", entries.get(3).at("/payload/policy").asText());
            assertEquals("safe", entries.get(4).at("/payload/output").asText().strip());
            assertTrue(entries.get(6).at("/payload/text").asText().contains("Tool result"));
            // the log is on disk too, one JSON line per entry
            assertEquals(7, lines(agent.dir.resolve(BusLog.FILE)).size());
        }
    }

    @Test
    void aDangerousCommandIsRejectedNeverRunAndTheTurnGoesOn() throws IOException {
        Path precious = Files.createDirectories(tmp.resolve("outside")).resolve("precious.txt");
        Files.writeString(precious, "keep me");
        try (TestRunner agent = runner(c -> {})) {
            List<SseEvent> events = agent.client.turn("[[bash: rm -rf " + precious + "]]");
            assertTrue(Files.exists(precious), "a rejected command provably never ran");
            JsonNode result = toolResult(events);
            assertTrue(result.get("is_error").booleanValue());
            assertTrue(result.get("output").asText().contains("blocked by the AgentBus safety gate"), result.toString());
            assertTrue(result.get("output").asText().contains("delete-outside-workspace"), result.toString());
            assertEquals("done", RunnerClient.last(events).name(), "the turn goes on after a refusal");

            List<JsonNode> entries = bus(agent).entries(0, 0);
            assertEquals(List.of("inference_input", "inference_output", "intention", "vote", "decision",
                    "inference_input", "inference_output"), BusTestClient.types(entries));
            JsonNode vote = entries.get(3).get("payload");
            assertFalse(vote.get("approve").booleanValue());
            assertEquals("rules", vote.get("voter").asText());
            assertEquals("abort", entries.get(4).at("/payload/decision").asText());
            assertTrue(entries.get(6).at("/payload/text").asText().contains("blocked"), "the model read the refusal");
        }
    }

    /** Decodes to {@code echo decoded > made.txt}: harmless if the gate failed, and provable by the file. */
    private static final String DECODE_AND_RUN = "echo ZWNobyBkZWNvZGVkID4gbWFkZS50eHQ= | base64 -d | sh";

    @Test
    void aCommandThatNeedsAVoteIsRefusedWhenNoOtherVoterAnswers() {
        try (TestRunner agent = runner(c -> {})) {
            List<SseEvent> events = agent.client.turn("[[bash: " + DECODE_AND_RUN + "]]");
            JsonNode result = toolResult(events);
            assertTrue(result.get("is_error").booleanValue(), result.toString());
            String output = result.get("output").asText();
            assertTrue(output.contains("rules asked for a vote (rule needs-vote: it decodes data and runs it"), output);
            assertTrue(output.contains("refused by default"), output);
            assertFalse(Files.exists(agent.dir.resolve("workspace/made.txt")), "refused, so never run");
            // the wire is unchanged: an intention and an abort decision, no vote entry for a deferral
            List<JsonNode> entries = bus(agent).entries(0, 0);
            assertEquals(List.of("inference_input", "inference_output", "intention", "decision",
                    "inference_input", "inference_output"), BusTestClient.types(entries));
            assertEquals("abort", entries.get(3).at("/payload/decision").asText());
            assertTrue(entries.get(3).at("/payload/reason").asText().contains("asked for a vote"));
        }
    }

    @Test
    void aCommandThatNeedsAVoteRunsWhenAPersonApprovesIt() throws Exception {
        try (TestRunner agent = runner(c -> c.putArray("agentbus_voters").add("rules").add("external"))) {
            BusTestClient bus = bus(agent);
            CompletableFuture<List<SseEvent>> turn = CompletableFuture.supplyAsync(() -> agent.client.turn("[[bash: " + DECODE_AND_RUN + "]]"));
            String id = bus.await(e -> e.get("type").asText().equals("intention")).at("/payload/intention_id").asText();
            assertEquals(200, bus.vote(id, true, "I decoded it: it writes one file").statusCode());
            List<SseEvent> events = turn.get(20, TimeUnit.SECONDS);
            assertFalse(toolResult(events).get("is_error").booleanValue(), toolResult(events).toString());
            assertEquals("decoded", Files.readString(agent.dir.resolve("workspace/made.txt")).strip());
            JsonNode decision = bus.await(e -> e.get("type").asText().equals("decision"));
            assertEquals("commit", decision.at("/payload/decision").asText());
            assertTrue(decision.at("/payload/reason").asText().contains("external:tester approved (rules had asked for a vote"),
                    decision.toString());
        }
    }

    @Test
    void aDestructiveCommandSpelledThroughVariablesAndCdIsRejectedAndNeverRuns() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside3"));
        Path precious = Files.writeString(outside.resolve("precious.txt"), "keep me");
        try (TestRunner agent = runner(c -> {})) {
            for (String command : List.of("D=" + outside + "; cd $D && rm -rf *", "find " + outside + " -delete",
                    "echo " + outside + " | xargs rm -rf", "python3 -c 'import shutil; shutil.rmtree(\"" + outside + "\")'")) {
                List<SseEvent> events = agent.client.turn("[[bash: " + command + "]]");
                JsonNode result = toolResult(events);
                assertTrue(result.get("is_error").booleanValue(), command + " -> " + result);
                assertTrue(result.get("output").asText().contains("blocked by the AgentBus safety gate: rules rejected it"), result.toString());
                assertTrue(Files.exists(precious), "rejected, so never run: " + command);
            }
        }
    }

    @Test
    void disableSafetyRunsWithoutAGateButStillLogs() throws IOException {
        Path victim = Files.createDirectories(tmp.resolve("outside2")).resolve("gone.txt");
        Files.writeString(victim, "x");
        try (TestRunner agent = runner(c -> c.put("disable_safety", true))) {
            List<SseEvent> events = agent.client.turn("[[bash: rm -f " + victim + "]]");
            assertFalse(toolResult(events).get("is_error").booleanValue());
            assertFalse(Files.exists(victim), "without the gate the command runs");
            List<JsonNode> entries = bus(agent).entries(0, 0);
            assertEquals(List.of("inference_input", "inference_output", "intention", "action_output",
                    "inference_input", "inference_output"), BusTestClient.types(entries));
            assertFalse(entries.get(2).at("/payload/gated").booleanValue());
        }
    }

    @Test
    void anExternalVoterThatNeverAnswersTimesOutAsAReject() {
        try (TestRunner agent = runner(c -> {
            c.putArray("agentbus_voters").add("rules").add("external");
            c.put("agentbus_vote_timeout_ms", 300);
        })) {
            long t0 = System.nanoTime();
            List<SseEvent> events = agent.client.turn("[[bash: echo hi > made.txt]]");
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(290));
            JsonNode result = toolResult(events);
            assertTrue(result.get("is_error").booleanValue());
            assertTrue(result.get("output").asText().contains("no external vote within 300 ms"), result.toString());
            assertFalse(Files.exists(agent.dir.resolve("workspace/made.txt")), "timed out, so never run");
            assertEquals("done", RunnerClient.last(events).name());
        }
    }

    @Test
    void anExternalApproveLetsTheCommandRunAndLateOrUnknownVotesAreRefused() throws Exception {
        try (TestRunner agent = runner(c -> c.putArray("agentbus_voters").add("rules").add("external"))) {
            BusTestClient bus = bus(agent);
            CompletableFuture<List<SseEvent>> turn = CompletableFuture.supplyAsync(
                    () -> agent.client.turn("[[bash: echo approved > made.txt]]"));
            JsonNode intention = bus.await(e -> e.get("type").asText().equals("intention"));
            String id = intention.at("/payload/intention_id").asText();
            assertFalse(Files.exists(agent.dir.resolve("workspace/made.txt")), "nothing runs before the decision");

            assertEquals(404, bus.vote("int-999", true, "?").statusCode());
            assertEquals(200, bus.vote(id, true, "looks fine").statusCode());
            List<SseEvent> events = turn.get(20, TimeUnit.SECONDS);
            assertFalse(toolResult(events).get("is_error").booleanValue());
            assertEquals("approved", Files.readString(agent.dir.resolve("workspace/made.txt")).strip());
            var late = bus.vote(id, false, "too late");
            assertEquals(409, late.statusCode());
            assertTrue(late.body().contains("already decided"), late.body());

            JsonNode vote = bus.await(e -> e.get("type").asText().equals("vote"));
            assertEquals("external:tester", vote.at("/payload/voter").asText());
            assertEquals("looks fine", vote.at("/payload/reason").asText());
        }
    }

    @Test
    void cancelWhileAnIntentionWaitsEndsTheTurnAndClosesTheIntention() {
        try (TestRunner agent = runner(c -> c.putArray("agentbus_voters").add("external"))) {
            BusTestClient bus = bus(agent);
            try (RunnerClient.TurnStream turn = agent.client.openTurn("[[bash: echo never > c.txt]]")) {
                bus.await(e -> e.get("type").asText().equals("intention"));
                long t0 = System.nanoTime();
                assertEquals(204, agent.client.post("/cancel", "", TestRunner.NONCE).statusCode());
                List<SseEvent> rest = turn.readAll();
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "cancel does not wait for the vote timeout");
                assertEquals("error", RunnerClient.last(rest).name());
            }
            JsonNode decision = bus.await(e -> e.get("type").asText().equals("decision"));
            assertEquals("abort", decision.at("/payload/decision").asText());
            assertTrue(decision.at("/payload/reason").asText().contains("cancelled"));
            assertFalse(Files.exists(agent.dir.resolve("workspace/c.txt")));
        }
    }

    @Test
    void readsNeedTheNonceAndAStartPastTheEndIsEmptyNotAnError() {
        try (TestRunner agent = runner(c -> {})) {
            BusTestClient bus = bus(agent);
            assertEquals(401, bus.get("/bus/tester.agent-test/entries?start=0&timeout_ms=0", "wrong").statusCode());
            assertEquals(401, bus.get("/bus/tester.agent-test/entries?start=0&timeout_ms=0", null).statusCode());
            var unknown = bus.get("/bus/other.bus/entries?start=0&timeout_ms=0", TestRunner.NONCE);
            assertEquals(404, unknown.statusCode());
            assertTrue(unknown.body().contains("tester.agent-test"), unknown.body());
            long t0 = System.nanoTime();
            var past = bus.get("/bus/tester.agent-test/entries?start=100&timeout_ms=200", TestRunner.NONCE);
            assertEquals(200, past.statusCode());
            assertEquals(0, BusTestClient.json(past.body()).get("entries").size());
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(190), "it long-polled before answering");
            assertEquals(400, bus.get("/bus/tester.agent-test/entries?start=abc", TestRunner.NONCE).statusCode());
        }
    }

    @Test
    void aTakenBusPortFailsTheStartNamingThePort() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            RuntimeException e = assertThrows(RuntimeException.class, () -> runner(c -> c.put("agentbus_port", port)).close());
            Throwable cause = e.getCause();
            assertInstanceOf(BusPortTakenException.class, cause);
            assertTrue(cause.getMessage().contains("agentbus port " + port + " is taken"), cause.getMessage());
        }
    }

    @Test
    void theLlmVoterAsksTheAgentsModelAndAnAnswerWithoutAVerdictRejects() {
        llm.clearRequests();
        try (TestRunner agent = runner(c -> {
            c.putArray("agentbus_voters").add("rules");
            c.put("agentbus_llm_voter", true);
        })) {
            List<SseEvent> events = agent.client.turn("[[bash: echo reviewed > r.txt]]");
            JsonNode result = toolResult(events);
            assertTrue(result.get("is_error").booleanValue());
            assertTrue(result.get("output").asText().contains("llm rejected it (the reviewing model gave no APPROVE/REJECT verdict"),
                    result.toString());
            assertFalse(Files.exists(agent.dir.resolve("workspace/r.txt")));
            assertTrue(llm.requests().stream().anyMatch(r -> r.body() != null && r.body().toString().contains("You review tool calls")),
                    "the reviewer prompt went to the model");
        }
    }

    @Test
    void infoNamesTheBus() {
        try (TestRunner agent = runner(c -> {})) {
            JsonNode info = BusTestClient.json(agent.client.get("/info").body());
            assertEquals(agent.runner.busPort(), info.get("agentbus_port").intValue());
            assertEquals("tester.agent-test", info.get("agentbus_id").asText());
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
