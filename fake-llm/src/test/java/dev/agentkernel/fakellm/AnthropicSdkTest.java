package dev.agentkernel.fakellm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.InternalServerException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives the server with the official Anthropic Java SDK, the way the runner does. */
class AnthropicSdkTest {
    private static final String MODEL = "claude-sonnet-4-5";
    private static FakeLlmServer server;
    private static AnthropicClient client;

    @BeforeAll
    static void start() {
        server = FakeLlmServer.start(0);
        client = client("test-key", 3);
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @BeforeEach
    void clear() {
        server.clearRequests();
    }

    private static AnthropicClient client(String key, int maxRetries) {
        return AnthropicOkHttpClient.builder().baseUrl(server.anthropicBaseUrl()).apiKey(key).maxRetries(maxRetries).build();
    }

    private static MessageCreateParams.Builder params(String text) {
        return MessageCreateParams.builder().model(MODEL).maxTokens(1024).addUserMessage(text);
    }

    /** Streams and accumulates like the runner; also returns the raw events. */
    private static Message stream(AnthropicClient c, MessageCreateParams params, List<RawMessageStreamEvent> events) {
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = c.messages().createStreaming(params)) {
            s.stream().forEach(e -> {
                events.add(e.validate()); // every event must carry the fields the SDK requires
                acc.accumulate(e);
            });
        }
        return acc.message().validate();
    }

    private static Message stream(MessageCreateParams params) {
        return stream(client, params, new ArrayList<>());
    }

    @Test
    void streamedTextAccumulatesToTheEcho() {
        List<RawMessageStreamEvent> events = new ArrayList<>();
        Message m = stream(client, params("hello there world").build(), events);

        assertEquals(1, m.content().size());
        assertEquals("Echo: hello there world", m.content().getFirst().asText().text());
        assertEquals(StopReason.END_TURN, m.stopReason().orElseThrow());
        assertEquals(MODEL, m.model().asString());
        assertTrue(m.id().startsWith("msg_"));
        assertTrue(m.usage().outputTokens() > 0 && m.usage().inputTokens() > 0);
        long textDeltas = events.stream().filter(e -> e.isContentBlockDelta() && e.asContentBlockDelta().delta().isText()).count();
        assertTrue(textDeltas >= 3, "echo should arrive as several deltas, got " + textDeltas);
    }

    @Test
    void toolCallInputSplitMidTokenIsAccumulatedIntoTheCommand() {
        String command = "ls -la /tmp && echo \"done: [x]\"";
        Message m = stream(params("please [[bash: " + command + "]]").build());

        assertEquals(StopReason.TOOL_USE, m.stopReason().orElseThrow());
        ToolUseBlock call = m.content().stream().filter(ContentBlock::isToolUse).findFirst().orElseThrow().asToolUse();
        assertEquals("bash", call.name());
        assertTrue(call.id().startsWith("toolu_"));
        assertEquals(command, command(call));
        assertTrue(m.content().getFirst().isText(), "a short text comes before the tool call");
    }

    @Test
    void severalBashDirectivesGiveSeveralCallsNamedAfterTheDeclaredTool() {
        Tool shell = Tool.builder().name("run_shell").inputSchema(Tool.InputSchema.builder()
                .properties(JsonValue.from(Map.of("command", Map.of("type", "string")))).build()).build();
        Message m = stream(params("[[bash: pwd]] and [[bash: whoami]]").addTool(shell).build());

        List<ToolUseBlock> calls = m.content().stream().filter(ContentBlock::isToolUse).map(ContentBlock::asToolUse).toList();
        assertEquals(2, calls.size());
        assertEquals(List.of("run_shell", "run_shell"), calls.stream().map(ToolUseBlock::name).toList());
        assertEquals("pwd", command(calls.get(0)));
        assertEquals("whoami", command(calls.get(1)));
        assertFalse(calls.get(0).id().equals(calls.get(1).id()), "tool call ids are unique");
    }

    @Test
    void toolResultsAreAnsweredWithTheirOutputAndEndTheTurn() {
        MessageCreateParams first = params("[[bash: echo hi]]").build();
        Message call = stream(first);
        ToolUseBlock use = call.content().stream().filter(ContentBlock::isToolUse).findFirst().orElseThrow().asToolUse();

        MessageCreateParams followUp = params("[[bash: echo hi]]").addMessage(call)
                .addUserMessageOfBlockParams(List.of(ContentBlockParam.ofToolResult(
                        ToolResultBlockParam.builder().toolUseId(use.id()).content("hi\n").build())))
                .build();
        Message answer = stream(followUp);

        assertEquals(StopReason.END_TURN, answer.stopReason().orElseThrow());
        assertEquals("Tool result: hi\n", answer.content().getFirst().asText().text());
        assertEquals(1, answer.content().size());
    }

    @Test
    void thinkingBlockStreamsFirstOnlyWhenRequested() {
        Message withThinking = stream(params("[[think]] why is the sky blue").enabledThinking(1024).build());
        assertEquals(2, withThinking.content().size());
        assertTrue(withThinking.content().get(0).isThinking());
        assertTrue(withThinking.content().get(0).asThinking().thinking().contains("why is the sky blue"));
        assertFalse(withThinking.content().get(0).asThinking().signature().isBlank());
        assertEquals("Echo: why is the sky blue", withThinking.content().get(1).asText().text());

        Message without = stream(params("[[think]] why is the sky blue").build());
        assertEquals(1, without.content().size());
        assertTrue(without.content().getFirst().isText());
    }

    @Test
    void replyDirectiveAnswersExactlyTheText() {
        String text = "# Title\n\n- one [link](http://x)\n- two";
        Message m = stream(params("[[reply: " + text + "]]").build());
        assertEquals(text, m.content().getFirst().asText().text());
    }

    @Test
    void flaky429And529AreRetriedBySdkThenSucceed() {
        Message m = stream(params("[[flaky: 429 2]] retry me").build());
        assertEquals("Echo: retry me", m.content().getFirst().asText().text());
        assertEquals(3, server.requests().size(), "two failures then one success");
        assertEquals("1", server.requests().get(1).header("x-stainless-retry-count"));

        server.clearRequests();
        long start = System.nanoTime();
        Message overloaded = client.messages().create(params("[[flaky: 529 1]] overloaded").build());
        assertEquals("Echo: overloaded", overloaded.content().getFirst().asText().text());
        assertEquals(2, server.requests().size());
        assertTrue(System.nanoTime() - start < 3_000_000_000L, "retry-after: 0 keeps SDK retries fast");
    }

    @Test
    void flakyBeyondMaxRetriesSurfacesAsRateLimitException() {
        AnthropicClient noRetry = client("test-key", 0);
        try {
            RateLimitException e = assertThrows(RateLimitException.class,
                    () -> noRetry.messages().create(params("[[flaky: 429 1]] no retries").build()));
            assertEquals(429, e.statusCode());
            assertEquals("0", e.headers().values("retry-after").getFirst());
            // The message is now past its one failure, so the next attempt is answered.
            assertEquals("Echo: no retries",
                    noRetry.messages().create(params("[[flaky: 429 1]] no retries").build()).content().getFirst().asText().text());
        } finally {
            noRetry.close();
        }
    }

    @Test
    void errorDirectiveRaisesTheMatchingSdkException() {
        AnthropicClient noRetry = client("test-key", 0);
        try {
            InternalServerException e = assertThrows(InternalServerException.class,
                    () -> noRetry.messages().create(params("[[error: 500]]").build()));
            assertEquals(500, e.statusCode());
            assertEquals("api_error", e.body().convert(com.fasterxml.jackson.databind.JsonNode.class)
                    .path("error").path("type").asText());
            assertFalse(e.headers().values("request-id").isEmpty());
        } finally {
            noRetry.close();
        }
    }

    @Test
    void badKeyRaisesUnauthorizedWithTheApiMessage() {
        AnthropicClient bad = client(FakeLlmServer.BAD_KEY, 2);
        try {
            UnauthorizedException e = assertThrows(UnauthorizedException.class,
                    () -> stream(bad, params("hi").build(), new ArrayList<>()));
            assertEquals(401, e.statusCode());
            assertTrue(e.getMessage().contains("invalid x-api-key"), e.getMessage());
            assertTrue(e.getMessage().contains("authentication_error"), e.getMessage());
        } finally {
            bad.close();
        }
        assertEquals(1, server.requests().size(), "401 is not retried");
    }

    @Test
    void missingMaxTokensIsA400NamingTheField() {
        // The SDK requires max_tokens, so send a raw body through the SDK's escape hatch.
        MessageCreateParams p = params("hi").putAdditionalBodyProperty("max_tokens", JsonValue.from("lots")).build();
        AnthropicClient noRetry = client("test-key", 0);
        try {
            BadRequestException e = assertThrows(BadRequestException.class, () -> noRetry.messages().create(p));
            assertTrue(e.getMessage().contains("max_tokens"), e.getMessage());
        } finally {
            noRetry.close();
        }
    }

    @Test
    void nonStreamingResponseParses() {
        Message m = client.messages().create(params("[[bash: date]] plain").build()).validate();
        assertEquals(StopReason.TOOL_USE, m.stopReason().orElseThrow());
        assertEquals("Running: date", m.content().get(0).asText().text());
        assertEquals("date", command(m.content().get(1).asToolUse()));

        Message thought = client.messages().create(params("[[think]] [[reply: ok]]").enabledThinking(1024).build()).validate();
        assertTrue(thought.content().get(0).isThinking());
        assertFalse(thought.content().get(0).asThinking().signature().isBlank());
        assertEquals("ok", thought.content().get(1).asText().text());
    }

    @Test
    void requestsAreRecordedWithLowerCaseHeadersAndJsonBody() {
        stream(params("record me").build());
        List<RecordedRequest> recorded = server.requests();
        assertEquals(1, recorded.size());
        RecordedRequest r = recorded.getFirst();
        assertEquals("POST", r.method());
        assertEquals("/v1/messages", r.path());
        assertEquals("test-key", r.headers().get("x-api-key"));
        assertTrue(r.headers().keySet().stream().allMatch(k -> k.equals(k.toLowerCase())));
        assertEquals("record me", r.body().path("messages").get(0).path("content").asText());
        assertTrue(r.body().path("stream").asBoolean());
    }

    @SuppressWarnings("unchecked")
    private static String command(ToolUseBlock call) {
        return (String) call._input().convert(Map.class).get("command");
    }
}
