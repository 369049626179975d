package dev.agentkernel.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.fakellm.junit.FakeLlm;
import dev.agentkernel.fakellm.RecordedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static dev.agentkernel.runner.RunnerClient.json;
import static dev.agentkernel.runner.RunnerClient.last;
import static dev.agentkernel.runner.RunnerClient.named;
import static dev.agentkernel.runner.RunnerClient.text;
import static org.junit.jupiter.api.Assertions.*;

/** Whole turns through the official SDKs against the scripted LLM server, for both providers. */
class AgentTurnTest {
    @FakeLlm
    static FakeLlmServer llm;
    @TempDir
    Path tmp;

    @BeforeEach
    void clear() {
        llm.clearRequests();
    }

    private TestRunner runner(String provider, Consumer<ObjectNode> tweak) {
        String base = "openai".equals(provider) ? llm.openAiBaseUrl() : llm.anthropicBaseUrl();
        return TestRunner.start(tmp.resolve(provider), TestRunner.config(provider, base, tweak));
    }

    private List<RecordedRequest> apiRequests() {
        return llm.requests().stream().filter(r -> r.method().equals("POST")).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"anthropic", "openai"})
    void textStreamsAsSeveralDeltasAndEndsWithDoneAndUsage(String provider) {
        try (TestRunner agent = runner(provider, c -> c.put("system_prompt", "Be brief."))) {
            List<SseEvent> events = agent.client.turn("hello streaming world");
            assertTrue(named(events, "text").size() >= 2, "streamed in pieces: " + events);
            assertEquals("Echo: hello streaming world", text(events));
            SseEvent done = last(events);
            assertEquals("done", done.name());
            assertTrue(done.data().path("done").asBoolean());
            assertTrue(done.data().path("error").isNull());
            assertEquals("end_turn", done.data().path("stop_reason").asText());
            assertTrue(done.data().path("usage").path("input_tokens").asLong() > 0);
            assertTrue(done.data().path("usage").path("output_tokens").asLong() > 0);
            assertEquals(1, events.stream().filter(e -> e.data().path("done").asBoolean()).count());

            RecordedRequest req = apiRequests().get(0);
            assertTrue(req.body().path("stream").asBoolean(), "must use the streaming API");
            if (provider.equals("anthropic")) {
                assertEquals("/v1/messages", req.path());
                assertEquals("Be brief.", req.body().path("system").asText());
                assertEquals("bash", req.body().path("tools").get(0).path("name").asText());
                assertEquals("test-key", req.header("x-api-key"));
            } else {
                assertEquals("/v1/chat/completions", req.path());
                assertEquals("system", req.body().path("messages").get(0).path("role").asText());
                assertTrue(req.body().path("stream_options").path("include_usage").asBoolean());
                assertEquals("bash", req.body().path("tools").get(0).path("function").path("name").asText());
                assertEquals("Bearer test-key", req.header("authorization"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"anthropic", "openai"})
    void bashToolRoundTripRunsInTheWorkspaceAndFeedsTheResultBack(String provider) throws Exception {
        try (TestRunner agent = runner(provider, c -> { })) {
            Files.writeString(agent.dir.resolve("workspace").resolve("marker.txt"), "found-me");
            List<SseEvent> events = agent.client.turn("[[bash: cat marker.txt; pwd]]");
            SseEvent use = named(events, "tool_use").get(0);
            assertEquals("bash", use.data().path("tool").asText());
            assertEquals("cat marker.txt; pwd", use.data().path("input").path("command").asText());
            assertEquals("", use.data().path("body").asText(), "tool events carry no body text");
            SseEvent result = named(events, "tool_result").get(0);
            assertEquals(use.data().path("id").asText(), result.data().path("id").asText());
            assertFalse(result.data().path("is_error").asBoolean());
            String workspace = agent.dir.resolve("workspace").toRealPath().toString();
            assertEquals("found-me" + workspace + "\n", result.data().path("output").asText());
            assertTrue(text(events).strip().endsWith("Tool result: found-me" + workspace), text(events));
            assertEquals("done", last(events).name());
            assertEquals(2, apiRequests().size(), "one call asking for the tool, one with its result");

            JsonNode history = json(agent.client.get("/history").body());
            assertEquals(4, history.size(), "user, assistant tool_use, user tool_result, assistant answer");
            assertEquals("tool_use", history.get(1).path("content").get(1).path("type").asText());
            assertEquals("tool_result", history.get(2).path("content").get(0).path("type").asText());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"anthropic", "openai"})
    void aNonZeroExitIsAToolErrorWithTheExitCode(String provider) {
        try (TestRunner agent = runner(provider, c -> { })) {
            List<SseEvent> events = agent.client.turn("[[bash: echo oops >&2; exit 3]]");
            SseEvent result = named(events, "tool_result").get(0);
            assertTrue(result.data().path("is_error").asBoolean());
            assertEquals("oops\n[exit code 3]", result.data().path("output").asText());
            assertEquals("done", last(events).name());
        }
    }

    @Test
    void cancelDuringALongBashCommandKillsItsProcesses() throws Exception {
        try (TestRunner agent = runner("anthropic", c -> c.put("bash_timeout_seconds", 60))) {
            Path pidFile = agent.dir.resolve("workspace").resolve("sleep.pid");
            try (RunnerClient.TurnStream s = agent.client.openTurn("[[bash: sleep 30 & echo $! > sleep.pid; wait]]")) {
                assertNotNull(s.nextMatching(e -> e.name().equals("tool_use")));
                long deadline = System.currentTimeMillis() + 5000;
                while ((!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
                long sleepPid = Long.parseLong(Files.readString(pidFile).trim());
                assertTrue(ProcessHandle.of(sleepPid).map(ProcessHandle::isAlive).orElse(false));
                assertEquals(204, agent.client.post("/cancel", "", TestRunner.NONCE).statusCode());
                SseEvent end = s.nextMatching(e -> e.data().path("done").asBoolean());
                assertEquals("error", end.name());
                assertEquals("turn cancelled", end.data().path("error").asText());
                assertTrue(Processes.diesSoon(sleepPid), "sleep must be killed");
            }
            // the unanswered tool call got a result in history, so the next request is valid
            JsonNode history = json(agent.client.get("/history").body());
            JsonNode lastMessage = history.get(history.size() - 1);
            assertEquals("tool_result", lastMessage.path("content").get(0).path("type").asText());
            assertTrue(lastMessage.path("content").get(0).path("is_error").asBoolean());
            assertEquals("Echo: next", text(agent.client.turn("next")));
        }
    }

    @Test
    void aFlaky529IsRetriedByTheSdk() {
        try (TestRunner agent = runner("anthropic", c -> { })) {
            List<SseEvent> events = agent.client.turn("[[flaky: 529 2]] try again");
            assertEquals("done", last(events).name(), events.toString());
            assertEquals("Echo: try again", text(events));
            assertEquals(3, apiRequests().size(), "two failures, then the success");
        }
    }

    @Test
    void aPersistent529EndsTheTurnAfterTheRetriesWithTheProvidersMessage() {
        try (TestRunner agent = runner("anthropic", c -> { })) {
            SseEvent end = last(agent.client.turn("[[error: 529]]"));
            assertEquals("error", end.name());
            String error = end.data().path("error").asText();
            assertTrue(error.startsWith("the anthropic API returned HTTP 529 overloaded_error (after 3 retries): "), error);
            assertTrue(error.contains("scripted error 529"), error);
            assertEquals(4, apiRequests().size(), "the first try and 3 retries");
        }
    }

    @Test
    void openAiRetriesA429Too() {
        try (TestRunner agent = runner("openai", c -> { })) {
            List<SseEvent> events = agent.client.turn("[[flaky: 429 1]] patience");
            assertEquals("done", last(events).name(), events.toString());
            assertEquals(2, apiRequests().size());
        }
    }

    @ParameterizedTest
    @CsvSource({"anthropic,LLM_API_KEY / ANTHROPIC_API_KEY", "openai,LLM_API_KEY / OPENAI_API_KEY"})
    void aRejectedKeySaysWhichKeyToCheck(String provider, String variables) {
        try (TestRunner agent = runner(provider, c -> c.put("api_key", FakeLlmServer.BAD_KEY))) {
            SseEvent end = last(agent.client.turn("hello"));
            assertEquals("error", end.name());
            String error = end.data().path("error").asText();
            assertTrue(error.startsWith("the " + provider + " API rejected the API key (HTTP 401"), error);
            assertTrue(error.endsWith("check " + variables), error);
            assertFalse(error.contains("Exception"), "no stack trace or class names: " + error);
            assertEquals(1, apiRequests().size(), "401 is not retried");
        }
    }

    @ParameterizedTest
    @CsvSource({"anthropic,'no API key for provider anthropic: set LLM_API_KEY in the kernel''s environment (or OpenClawSpawnInfo.apiKey); to try AgentKernel offline, run scriptedLlm() in bin/agentkernel jshell or a notebook before spawning (the scripted LLM)'",
            "openai,'no API key for provider openai: set LLM_API_KEY (or OPENAI_API_KEY) in the kernel''s environment (or OpenClawSpawnInfo.apiKey); to try AgentKernel offline, run scriptedLlm() in bin/agentkernel jshell or a notebook before spawning (the scripted LLM)'"})
    void aMissingKeyIsReportedBeforeAnythingIsSent(String provider, String message) {
        try (TestRunner agent = runner(provider, c -> c.remove("api_key"))) {
            List<SseEvent> events = agent.client.turn("hello");
            assertEquals(1, events.size());
            assertEquals("error", events.get(0).name());
            assertEquals(message, events.get(0).data().path("error").asText());
            assertTrue(apiRequests().isEmpty());
            assertEquals(0, json(agent.client.get("/history").body()).size(), "a refused turn leaves no history");
        }
    }

    @Test
    void anUnknownProviderNamesTheValidOnes() {
        try (TestRunner agent = runner("anthropic", c -> c.put("provider", "gemini"))) {
            SseEvent end = last(agent.client.turn("hello"));
            assertEquals("unknown provider 'gemini': use one of [anthropic, openai]", end.data().path("error").asText());
        }
    }

    @Test
    void otherProviderErrorsQuoteTheProvidersMessage() {
        try (TestRunner agent = runner("anthropic", c -> { })) {
            SseEvent end = last(agent.client.turn("[[error: 400]]"));
            assertEquals("error", end.name());
            String error = end.data().path("error").asText();
            assertTrue(error.startsWith("the anthropic API returned HTTP 400 invalid_request_error: "), error);
            assertTrue(error.contains("scripted error 400"), error);
        }
    }

    @ParameterizedTest
    @CsvSource({"low,2048", "medium,8192", "high,24576"})
    void thinkingLevelsMapToBudgetsBelowMaxTokens(String level, int budget) {
        try (TestRunner agent = runner("anthropic", c -> c.put("thinking_level", level))) {
            List<SseEvent> events = agent.client.turn("[[think]] why");
            JsonNode body = apiRequests().get(0).body();
            assertEquals("enabled", body.path("thinking").path("type").asText());
            assertEquals(budget, body.path("thinking").path("budget_tokens").asInt());
            assertTrue(body.path("max_tokens").asInt() > budget);
            List<SseEvent> thinking = named(events, "thinking");
            assertFalse(thinking.isEmpty(), "thinking deltas are forwarded");
            assertTrue(events.indexOf(thinking.get(0)) < events.indexOf(named(events, "text").get(0)));
            assertEquals("Echo: why", text(events));
        }
    }

    @Test
    void openAiThinkingLevelsBecomeReasoningEffort() {
        try (TestRunner agent = runner("openai", c -> c.put("thinking_level", "medium"))) {
            assertEquals("done", last(agent.client.turn("hi")).name());
            assertEquals("medium", apiRequests().get(0).body().path("reasoning_effort").asText());
        }
        llm.clearRequests();
        try (TestRunner agent = runner("openai", c -> { })) {
            agent.client.turn("hi");
            assertTrue(apiRequests().get(0).body().path("reasoning_effort").isMissingNode());
        }
    }

    @Test
    void noThinkingLevelSendsNoThinkingAndNoThinkingEvents() {
        try (TestRunner agent = runner("anthropic", c -> { })) {
            List<SseEvent> events = agent.client.turn("[[think]] why");
            assertTrue(apiRequests().get(0).body().path("thinking").isMissingNode());
            assertTrue(named(events, "thinking").isEmpty());
        }
    }

    @Test
    void thinkingBlocksWithSignaturesGoBackWithToolResults() {
        try (TestRunner agent = runner("anthropic", c -> c.put("thinking_level", "low"))) {
            assertEquals("done", last(agent.client.turn("[[think]] [[bash: echo hi]]")).name());
            JsonNode second = apiRequests().get(1).body().path("messages").get(1).path("content").get(0);
            assertEquals("thinking", second.path("type").asText());
            assertFalse(second.path("signature").asText().isEmpty());
        }
    }

    @Test
    void eachRequestSendsTheConversationExactlyAsItIsStored() {
        // Answers and plain text reach the SDK without a round trip through the stored JSON: what is sent must
        // still be that JSON, for every kind of message (thinking with signatures, tool calls and results, text).
        try (TestRunner agent = runner("anthropic", c -> c.put("thinking_level", "low"))) {
            assertEquals("done", last(agent.client.turn("[[think]] [[bash: echo hi]]")).name());
            assertEquals("done", last(agent.client.turn("[[reply: **plain** text]]")).name());
            assertEquals("done", last(agent.client.turn("and once more")).name());
            JsonNode history = json(agent.client.get("/history").body());
            assertEquals(8, history.size(), history.toString());
            List<RecordedRequest> requests = apiRequests();
            for (RecordedRequest request : requests) {
                JsonNode sent = request.body().path("messages");
                assertTrue(sent.size() >= 1 && sent.size() < history.size(), sent.toString());
                for (int i = 0; i < sent.size(); i++) {
                    assertEquals(history.get(i), sent.get(i), "message " + i + " of a request with " + sent.size());
                }
            }
            assertEquals(history.size() - 1, requests.get(requests.size() - 1).body().path("messages").size(),
                    "the last request carried everything but its own answer");
        }
    }

    @Test
    void theTurnsResponseHeadersLeaveBeforeTheFirstEvent() throws Exception {
        // A kernel sets up its stream reader when the headers come; they must not wait for the model's first token.
        Runner.Options slowKeepAlive = new Runner.Options(4096, java.time.Duration.ofSeconds(30), 3);
        try (TestRunner agent = TestRunner.start(tmp.resolve("headers"),
                TestRunner.config("anthropic", llm.anthropicBaseUrl(), c -> { }), slowKeepAlive)) {
            long start = System.nanoTime();
            try (RunnerClient.TurnStream stream = agent.client.openTurn("[[slow: 1200]] hi")) {
                long headersMillis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(headersMillis < 1000, "headers took " + headersMillis + " ms: they waited for the first token");
                assertEquals("done", last(stream.readAll()).name());
            }
        }
    }

    @Test
    void theToolRoundLimitEndsTheTurnWithAnError() {
        try (TestRunner agent = runner("anthropic", c -> c.put("max_tool_rounds", 0))) {
            List<SseEvent> events = agent.client.turn("[[bash: echo never]]");
            assertTrue(named(events, "tool_use").isEmpty());
            SseEvent end = last(events);
            assertEquals("error", end.name());
            assertTrue(end.data().path("error").asText().contains("max_tool_rounds = 0"), end.toString());
            // the request the limit stopped still has a result for its call, so the agent can go on
            assertEquals("done", last(agent.client.turn("go on")).name());
        }
    }

    @Test
    void historyIsResumedByANewRunnerOnTheSameStateDir() {
        Path dir = tmp.resolve("resume");
        ObjectNode config = TestRunner.config("anthropic", llm.anthropicBaseUrl(), c -> { });
        try (TestRunner first = TestRunner.start(dir, config)) {
            first.client.turn("remember the number 42");
        }
        assertTrue(Files.exists(dir.resolve("history.jsonl")));
        llm.clearRequests();
        try (TestRunner second = TestRunner.start(dir, config)) {
            JsonNode history = json(second.client.get("/history").body());
            assertEquals(2, history.size());
            assertEquals("remember the number 42", history.get(0).path("content").asText());
            second.client.turn("what was it?");
            JsonNode sent = apiRequests().get(0).body().path("messages");
            assertEquals(3, sent.size(), "the resumed conversation is sent to the model");
            assertEquals("remember the number 42", sent.get(0).path("content").asText());
        }
    }
}
