package dev.agentkernel.runner;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.fakellm.junit.FakeLlm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.agentkernel.runner.RunnerClient.json;
import static org.junit.jupiter.api.Assertions.*;

/** The HTTP surface of protocol.md against a real in-process runner: auth, errors, 409, cancel, history, info. */
class RunnerProtocolTest {
    @FakeLlm
    static FakeLlmServer llm;
    @TempDir
    Path tmp;
    TestRunner agent;
    RunnerClient client;

    @BeforeEach
    void startRunner() {
        agent = TestRunner.start(tmp.resolve("agent"), TestRunner.config("anthropic", llm.anthropicBaseUrl(), c -> { }));
        client = agent.client;
    }

    @AfterEach
    void stopRunner() {
        agent.close();
    }

    @Test
    void healthNeedsNoAuthAndRevealsNothingElse() {
        HttpResponse<String> r = client.get("/health", null);
        assertEquals(200, r.statusCode());
        assertEquals("ok", json(r.body()).path("status").asText());
        assertEquals(1, json(r.body()).size());
    }

    @Test
    void everyOtherEndpointRejectsAMissingOrWrongNonce() {
        for (String bearer : new String[] {null, "wrong-nonce", ""}) {
            for (String path : List.of("/history", "/info")) {
                HttpResponse<String> r = client.get(path, bearer);
                assertEquals(401, r.statusCode(), path + " with " + bearer);
                assertTrue(json(r.body()).path("error").asText().contains("nonce"), r.body());
            }
            assertEquals(401, client.post("/turn", RunnerClient.turnBody("hi"), bearer).statusCode());
            assertEquals(401, client.post("/cancel", "", bearer).statusCode());
        }
        assertTrue(llm.requests().isEmpty(), "a rejected turn must not reach the LLM");
    }

    @Test
    void malformedTurnBodiesGet400SayingWhatTheBodyMustLookLike() {
        for (String body : List.of("not json", "[]", "{}", "{\"messages\":[]}", "{\"messages\":[{\"content\":\"x\"}]}",
                "{\"messages\":[{\"role\":\"user\"}]}", "{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":42}]}")) {
            HttpResponse<String> r = client.post("/turn", body, TestRunner.NONCE);
            assertEquals(400, r.statusCode(), body);
            String error = json(r.body()).path("error").asText();
            assertTrue(error.contains("{\"messages\":[{\"role\":\"user\",\"content\":\"...\"}]}"), error);
        }
    }

    @Test
    void wrongMethodAndUnknownPathAreClearErrors() {
        assertEquals(405, client.get("/turn").statusCode());
        HttpResponse<String> r = client.get("/nope");
        assertEquals(404, r.statusCode());
        assertTrue(json(r.body()).path("error").asText().contains("/health"));
    }

    @Test
    void aSecondTurnWhileOneRunsGets409AndCancelEndsTheFirst() throws Exception {
        try (RunnerClient.TurnStream first = client.openTurn("[[slow: 300]] one two three four five six seven eight")) {
            assertNotNull(first.nextMatching(e -> e.name().equals("text")));
            HttpResponse<String> second = client.post("/turn", RunnerClient.turnBody("hello"), TestRunner.NONCE);
            assertEquals(409, second.statusCode());
            assertTrue(json(second.body()).path("error").asText().contains("already running"));

            long t0 = System.nanoTime();
            assertEquals(204, client.post("/cancel", "", TestRunner.NONCE).statusCode());
            List<SseEvent> rest = first.readAll();
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 3000, "cancel must be prompt");
            SseEvent last = RunnerClient.last(rest);
            assertEquals("error", last.name());
            assertEquals("turn cancelled", last.data().path("error").asText());
            assertTrue(last.data().path("done").asBoolean());
            assertEquals(1, rest.stream().filter(e -> e.name().equals("error") || e.name().equals("done")).count());
        }
        // the agent is free again right after /cancel answered
        List<SseEvent> next = client.turn("again");
        assertEquals("done", RunnerClient.last(next).name());
        assertEquals("Echo: again", RunnerClient.text(next));
    }

    @Test
    void cancelWithoutARunningTurnIs204() {
        assertEquals(204, client.post("/cancel", "", TestRunner.NONCE).statusCode());
    }

    @Test
    void aClientThatDisconnectsMidStreamCancelsTheTurn() throws Exception {
        RunnerClient.TurnStream stream = client.openTurn("[[slow: 200]] a b c d e f g h i j k l m n o p");
        assertNotNull(stream.nextMatching(e -> e.name().equals("text")));
        stream.response().body().close();
        long deadline = System.currentTimeMillis() + 5000;
        while (agent.runner.info().path("busy").asBoolean() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(agent.runner.info().path("busy").asBoolean(), "the turn should stop once its client is gone");
        // the partial answer was not stored as if complete: the last message is the user's
        JsonNode history = json(client.get("/history").body());
        assertEquals("user", history.get(history.size() - 1).path("role").asText());
    }

    @Test
    void historyReturnsRoleAndContentOldestFirstAndHonoursLastN() {
        client.turn("first");
        client.turn("second");
        JsonNode all = json(client.get("/history").body());
        assertEquals(4, all.size());
        assertEquals("user", all.get(0).path("role").asText());
        assertEquals("first", all.get(0).path("content").asText());
        assertEquals("assistant", all.get(3).path("role").asText());
        assertEquals("Echo: second", all.get(3).path("content").get(0).path("text").asText());
        JsonNode last2 = json(client.get("/history?last_n=2").body());
        assertEquals(2, last2.size());
        assertEquals("second", last2.get(0).path("content").asText());
        assertEquals(0, json(client.get("/history?last_n=0").body()).size());
        HttpResponse<String> bad = client.get("/history?last_n=minus");
        assertEquals(400, bad.statusCode());
        assertTrue(json(bad.body()).path("error").asText().contains("last_n"));
    }

    @Test
    void infoDescribesTheAgentWithoutSecrets() {
        HttpResponse<String> r = client.get("/info");
        assertEquals(200, r.statusCode());
        JsonNode info = json(r.body());
        assertEquals("agent-test", info.path("agent_id").asText());
        assertEquals("tester", info.path("name").asText());
        assertEquals(ProcessHandle.current().pid(), info.path("pid").asLong());
        assertEquals("claude-test", info.path("model").asText());
        assertEquals("anthropic", info.path("provider").asText());
        assertEquals("bash", info.path("tools").get(0).asText());
        assertEquals(agent.dir.resolve("workspace").toAbsolutePath().toString(), info.path("workspace").asText());
        assertTrue(info.path("uid").asLong() >= 0);
        assertFalse(info.path("cwd").asText().isEmpty());
        assertDoesNotThrow(() -> java.time.Instant.parse(info.path("started_at").asText()));
        assertFalse(r.body().contains(TestRunner.NONCE));
        assertFalse(r.body().contains("test-key"));
    }

    @Test
    void eventsAreSseFramesWithOneJsonObjectPerDataLine() {
        try (RunnerClient.TurnStream s = client.openTurn("hello there")) {
            assertTrue(s.response().headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
            List<SseEvent> events = s.readAll();
            assertTrue(events.size() >= 3, "several text deltas and done: " + events);
            for (String line : s.rawLines) {
                assertTrue(line.isEmpty() || line.startsWith("event: ") || line.startsWith("data: {") || line.startsWith(":"), line);
            }
            for (SseEvent e : events) {
                assertTrue(e.data().has("body") && e.data().has("done") && e.data().has("error"), e.toString());
            }
        }
    }
}
