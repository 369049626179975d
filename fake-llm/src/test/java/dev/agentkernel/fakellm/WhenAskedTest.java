package dev.agentkernel.fakellm;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@link FakeLlmServer#whenAsked}: a scripted answer of any text, on both wire formats. */
class WhenAskedTest {
    /** What a planning model answers: code holding "]]" and helpers tags, which no [[reply: ...]] can carry. */
    static final String PLAN = """
            I will fan out.
            <helpers>
            int[][] grid = new int[2][2];
            System.out.println(grid[1][1]]);
            </helpers>
            Done.""";

    FakeLlmServer server;
    HttpClient http;

    @BeforeEach
    void start() {
        server = FakeLlmServer.start(0);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() {
        http.close();
        server.close();
    }

    private List<Sse> anthropic(String userText) throws Exception {
        String body = "{\"model\":\"m\",\"max_tokens\":100,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
                + Json.write(Json.MAPPER.valueToTree(userText)) + "}]}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.anthropicBaseUrl() + "/v1/messages"))
                .timeout(Duration.ofSeconds(10)).header("x-api-key", "k").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return Sse.parse(r.body());
    }

    private static String text(List<Sse> events) {
        StringBuilder text = new StringBuilder();
        for (Sse e : events) text.append(e.json().path("delta").path("text").asText(""));
        return text.toString();
    }

    @Test
    void aMessageHoldingTheTriggerGetsExactlyTheScriptedAnswerWithNoToolCall() throws Exception {
        server.whenAsked("Plan the work", PLAN);
        List<Sse> events = anthropic("Task: Plan the work on topic X. [[bash: rm -rf ~]]");
        assertEquals(PLAN, text(events));
        assertTrue(events.stream().noneMatch(e -> e.json().path("content_block").path("type").asText().equals("tool_use")),
                "the scripted answer replaces the directives, the bash call included");
        assertTrue(events.stream().map(Sse::json).filter(d -> d.path("delta").has("text")).count() > 3,
                "streamed word by word like every answer");
    }

    @Test
    void otherMessagesKeepTheirDirectivesAndTheFirstMatchingTriggerWins() throws Exception {
        server.whenAsked("Plan", "first").whenAsked("Plan the work", "second");
        assertEquals("Echo: hello", text(anthropic("hello")));
        assertEquals("first", text(anthropic("Plan the work")));
    }

    @Test
    void theOpenAiWireGetsTheSameAnswer() throws Exception {
        server.whenAsked("Plan the work", PLAN);
        String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Plan the work\"}]}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.openAiBaseUrl() + "/chat/completions"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer k").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode answer = Json.MAPPER.readTree(r.body());
        assertEquals(PLAN, answer.path("choices").path(0).path("message").path("content").asText());
    }

    @Test
    void anEmptyTriggerIsRefusedWithTheFix() {
        var e = assertThrows(IllegalArgumentException.class, () -> server.whenAsked("", "x"));
        assertTrue(e.getMessage().contains("non-empty trigger"), e.getMessage());
    }
}
