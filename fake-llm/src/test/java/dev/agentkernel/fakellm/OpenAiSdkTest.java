package dev.agentkernel.fakellm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.InternalServerException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives the server with the official OpenAI Java SDK (Chat Completions), the way the runner does. */
class OpenAiSdkTest {
    private static final String MODEL = "gpt-4o-mini";
    private static FakeLlmServer server;
    private static OpenAIClient client;

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

    private static OpenAIClient client(String key, int maxRetries) {
        return OpenAIOkHttpClient.builder().baseUrl(server.openAiBaseUrl()).apiKey(key).maxRetries(maxRetries).build();
    }

    private static ChatCompletionCreateParams.Builder params(String text) {
        return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage(text)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
    }

    private static ChatCompletion stream(OpenAIClient c, ChatCompletionCreateParams params, List<ChatCompletionChunk> chunks) {
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s = c.chat().completions().createStreaming(params)) {
            s.stream().forEach(chunk -> {
                chunks.add(chunk.validate());
                acc.accumulate(chunk);
            });
        }
        return acc.chatCompletion().validate();
    }

    private static ChatCompletion stream(ChatCompletionCreateParams params) {
        return stream(client, params, new ArrayList<>());
    }

    private static List<ChatCompletionMessageFunctionToolCall> calls(ChatCompletion c) {
        return c.choices().getFirst().message().toolCalls().orElse(List.of()).stream()
                .map(ChatCompletionMessageToolCall::asFunction).toList();
    }

    @SuppressWarnings("unchecked")
    private static String command(ChatCompletionMessageFunctionToolCall call) throws Exception {
        return (String) Json.MAPPER.readValue(call.function().arguments(), Map.class).get("command");
    }

    @Test
    void streamedTextAccumulatesAndUsageChunkEndsTheStream() {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        ChatCompletion c = stream(client, params("hello open world").build(), chunks);

        assertEquals("Echo: hello open world", c.choices().getFirst().message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, c.choices().getFirst().finishReason());
        assertTrue(c.id().startsWith("chatcmpl-"));
        assertEquals(MODEL, c.model());
        long contentChunks = chunks.stream().filter(ch -> !ch.choices().isEmpty()
                && ch.choices().getFirst().delta().content().filter(s -> !s.isEmpty()).isPresent()).count();
        assertTrue(contentChunks >= 3, "text should arrive in several deltas, got " + contentChunks);
        ChatCompletionChunk last = chunks.getLast();
        assertTrue(last.choices().isEmpty(), "the usage chunk has no choices");
        long completion = last.usage().orElseThrow().completionTokens();
        assertTrue(completion > 0);
        assertEquals(completion, c.usage().orElseThrow().completionTokens());
        assertEquals(last.usage().orElseThrow().promptTokens() + completion, last.usage().orElseThrow().totalTokens());
    }

    @Test
    void withoutIncludeUsageThereIsNoUsageChunk() {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        ChatCompletion c = stream(client, ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("no usage").build(), chunks);
        assertEquals("Echo: no usage", c.choices().getFirst().message().content().orElseThrow());
        assertTrue(chunks.stream().allMatch(ch -> ch.usage().isEmpty() && !ch.choices().isEmpty()));
    }

    @Test
    void toolCallArgumentsSplitOverDeltasAccumulateIntoTheCommand() throws Exception {
        String command = "grep -rn \"x: {y}\" . | head";
        FunctionDefinition shell = FunctionDefinition.builder().name("exec_shell").parameters(FunctionParameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of("command", Map.of("type", "string"))))
                .build()).build();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        ChatCompletion c = stream(client, params("[[bash: " + command + "]] [[bash: pwd]]").addFunctionTool(shell).build(), chunks);

        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, c.choices().getFirst().finishReason());
        List<ChatCompletionMessageFunctionToolCall> calls = calls(c);
        assertEquals(2, calls.size());
        assertEquals("exec_shell", calls.get(0).function().name());
        assertEquals(command, command(calls.get(0)));
        assertEquals("pwd", command(calls.get(1)));
        assertTrue(calls.get(0).id().startsWith("call_"));
        long argumentDeltas = chunks.stream().filter(ch -> !ch.choices().isEmpty())
                .flatMap(ch -> ch.choices().getFirst().delta().toolCalls().orElse(List.of()).stream())
                .filter(tc -> tc.index() == 0 && tc.id().isEmpty()).count();
        assertTrue(argumentDeltas >= 3, "arguments should be split over several deltas, got " + argumentDeltas);
    }

    @Test
    void toolMessagesAreAnsweredWithTheirOutput() throws Exception {
        ChatCompletion first = stream(params("[[bash: echo hi]]").build());
        ChatCompletionMessageFunctionToolCall call = calls(first).getFirst();
        assertEquals("bash", call.function().name(), "no tools declared: the call is named bash");

        ChatCompletion answer = stream(params("[[bash: echo hi]]")
                .addMessage(first.choices().getFirst().message())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("hi there").build())
                .build());
        assertEquals("Tool result: hi there", answer.choices().getFirst().message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, answer.choices().getFirst().finishReason());
        assertTrue(calls(answer).isEmpty());
    }

    @Test
    void toolResultAnswerIsCutAt2000Characters() {
        ChatCompletion first = stream(params("[[bash: yes | head -5000]]").build());
        String longOutput = "y".repeat(5000);
        ChatCompletion answer = client.chat().completions().create(params("[[bash: yes | head -5000]]")
                .addMessage(first.choices().getFirst().message())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(calls(first).getFirst().id()).content(longOutput).build())
                .build());
        assertEquals("Tool result: " + "y".repeat(2000), answer.choices().getFirst().message().content().orElseThrow());
    }

    @Test
    void nonStreamingResponseParses() throws Exception {
        ChatCompletion c = client.chat().completions().create(params("[[reply: **bold** answer]]").build()).validate();
        assertEquals("**bold** answer", c.choices().getFirst().message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, c.choices().getFirst().finishReason());
        assertTrue(c.usage().orElseThrow().totalTokens() > 0);

        ChatCompletion tool = client.chat().completions().create(params("[[bash: uname -a]]").build()).validate();
        assertEquals("uname -a", command(calls(tool).getFirst()));
    }

    @Test
    void flaky429IsRetriedBySdkThenSucceeds() {
        ChatCompletion c = stream(params("[[flaky: 429 2]] again").build());
        assertEquals("Echo: again", c.choices().getFirst().message().content().orElseThrow());
        assertEquals(3, server.requests().size());
    }

    @Test
    void rateLimitCarriesOpenAiErrorFields() {
        OpenAIClient noRetry = client("test-key", 0);
        try {
            RateLimitException e = assertThrows(RateLimitException.class,
                    () -> noRetry.chat().completions().create(params("[[error: 429]]").build()));
            assertEquals("rate_limit_exceeded", e.code().orElseThrow());
            assertEquals("requests", e.type().orElseThrow());
            assertFalse(e.headers().values("x-request-id").isEmpty());
            InternalServerException server500 = assertThrows(InternalServerException.class,
                    () -> noRetry.chat().completions().create(params("[[error: 503]]").build()));
            assertEquals(503, server500.statusCode());
        } finally {
            noRetry.close();
        }
    }

    @Test
    void badKeyRaisesUnauthorizedWithTheApiMessage() {
        OpenAIClient bad = client(FakeLlmServer.BAD_KEY, 2);
        try {
            UnauthorizedException e = assertThrows(UnauthorizedException.class,
                    () -> stream(bad, params("hi").build(), new ArrayList<>()));
            assertEquals(401, e.statusCode());
            assertEquals("invalid_api_key", e.code().orElseThrow());
            assertEquals("authentication_error", e.type().orElseThrow());
            assertTrue(e.getMessage().contains("Incorrect API key provided: bad-key"), e.getMessage());
        } finally {
            bad.close();
        }
    }

    @Test
    void requestsAreRecorded() {
        stream(params("recorded").build());
        RecordedRequest r = server.requests().getFirst();
        assertEquals("/v1/chat/completions", r.path());
        assertEquals("Bearer test-key", r.header("Authorization"));
        assertEquals(MODEL, r.body().path("model").asText());
        assertTrue(r.body().path("stream_options").path("include_usage").asBoolean());
    }
}
