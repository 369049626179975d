package dev.agentkernel.fakellm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Asserts the exact wire format with a plain HTTP client, independent of the SDKs' leniency. */
class RawHttpTest {
    private static FakeLlmServer server;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        server = FakeLlmServer.start(0);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        http.close();
        server.close();
    }

    private static HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.anthropicBaseUrl() + path))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> anthropic(String body) throws Exception {
        return post("/v1/messages", body, "x-api-key", "k", "content-type", "application/json");
    }

    private static HttpResponse<String> openAi(String body) throws Exception {
        return post("/v1/chat/completions", body, "Authorization", "Bearer k", "content-type", "application/json");
    }

    private static String anthropicBody(String text, boolean thinking) {
        String t = thinking ? ",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}" : "";
        return "{\"model\":\"claude-x\",\"max_tokens\":100,\"stream\":true" + t
                + ",\"messages\":[{\"role\":\"user\",\"content\":" + Json.write(Json.MAPPER.valueToTree(text)) + "}]}";
    }

    /** Event names with block types / delta types, runs of equal deltas collapsed to "name+". */
    private static List<String> shape(List<Sse> events) {
        List<String> out = new ArrayList<>();
        for (Sse e : events) {
            JsonNode d = e.json();
            String s = switch (e.event()) {
                case "content_block_start" -> "start:" + d.path("content_block").path("type").asText() + "@" + d.path("index").asInt();
                case "content_block_delta" -> d.path("delta").path("type").asText() + "@" + d.path("index").asInt();
                case "content_block_stop" -> "stop@" + d.path("index").asInt();
                case "message_delta" -> "message_delta:" + d.path("delta").path("stop_reason").asText();
                default -> e.event();
            };
            if (!out.isEmpty() && (out.getLast().equals(s) || out.getLast().equals(s + "+"))) {
                out.set(out.size() - 1, s + "+");
            } else {
                out.add(s);
            }
        }
        return out;
    }

    @Test
    void anthropicStreamHasTheExactEventSequence() throws Exception {
        HttpResponse<String> r = anthropic(anthropicBody("[[think]] look [[bash: cat \"a b.txt\"]]", true));
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
        assertTrue(r.headers().firstValue("request-id").orElseThrow().startsWith("req_"));
        List<Sse> events = Sse.parse(r.body());

        assertEquals(List.of("message_start", "start:thinking@0", "ping", "thinking_delta@0+", "signature_delta@0", "stop@0",
                "start:text@1", "text_delta@1+", "stop@1",
                "start:tool_use@2", "input_json_delta@2+", "stop@2",
                "message_delta:tool_use", "message_stop"), shape(events));
        for (Sse e : events) {
            assertEquals(e.event(), e.json().path("type").asText(), "data.type repeats the event name");
        }
        JsonNode start = events.getFirst().json().path("message");
        assertTrue(start.path("id").asText().startsWith("msg_"));
        assertEquals("claude-x", start.path("model").asText());
        assertTrue(start.path("content").isArray() && start.path("content").isEmpty());
        assertTrue(start.path("stop_reason").isNull());
        assertTrue(start.path("usage").path("input_tokens").asInt() > 0);

        List<String> pieces = events.stream().map(Sse::json)
                .filter(d -> d.path("delta").path("type").asText().equals("input_json_delta"))
                .map(d -> d.path("delta").path("partial_json").asText()).toList();
        assertEquals("", pieces.getFirst(), "the API opens with an empty partial_json");
        assertEquals("{\"command\":\"cat \\\"a b.txt\\\"\"}", String.join("", pieces));
        assertEquals("{\"com", pieces.get(1), "first cut falls inside the key");
        assertTrue(pieces.get(2).endsWith(":"), "a cut falls between key and value");
        assertTrue(pieces.size() >= 5, "the value string is cut too: " + pieces);
        JsonNode toolStart = events.stream().map(Sse::json)
                .filter(d -> d.path("content_block").path("type").asText().equals("tool_use")).findFirst().orElseThrow();
        assertTrue(toolStart.path("content_block").path("id").asText().startsWith("toolu_"));
        assertEquals("bash", toolStart.path("content_block").path("name").asText());
        assertTrue(toolStart.path("content_block").path("input").isObject());
        JsonNode delta = events.get(events.size() - 2).json();
        assertTrue(delta.path("usage").path("output_tokens").asInt() > 0);
        assertTrue(delta.path("delta").path("stop_sequence").isNull());
    }

    @Test
    void anthropicPlainEchoStreamsOnlyATextBlock() throws Exception {
        List<Sse> events = Sse.parse(anthropic(anthropicBody("[[think]] hi there", false)).body());
        assertEquals(List.of("message_start", "start:text@0", "ping", "text_delta@0+", "stop@0",
                "message_delta:end_turn", "message_stop"), shape(events));
    }

    @Test
    void chunksDirectiveSendsExactlyNOneWordDeltas() throws Exception {
        List<Sse> events = Sse.parse(anthropic(anthropicBody("[[chunks: 50]]", false)).body());
        List<String> deltas = events.stream().filter(e -> e.event().equals("content_block_delta"))
                .map(e -> e.json().path("delta").path("text").asText()).toList();
        assertEquals(50, deltas.size());
        assertTrue(deltas.stream().allMatch(d -> d.strip().matches("w\\d+")), deltas.toString());
    }

    @Test
    void slowDirectiveSpacesTheDeltas() throws Exception {
        long start = System.nanoTime();
        List<Sse> events = Sse.parse(anthropic(anthropicBody("[[slow: 60]] one two three", false)).body());
        long millis = (System.nanoTime() - start) / 1_000_000;
        long deltas = events.stream().filter(e -> e.event().equals("content_block_delta")).count();
        assertEquals(4, deltas); // "Echo: ", "one ", "two ", "three"
        assertTrue(millis >= 4 * 60, "4 deltas x 60 ms, took " + millis + " ms");
    }

    @Test
    void openAiStreamHasTheExactChunkSequence() throws Exception {
        HttpResponse<String> r = openAi("{\"model\":\"gpt-x\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"[[bash: ls -l]]\"}]}]}");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("x-request-id").isPresent());
        List<Sse> events = Sse.parse(r.body());
        assertTrue(events.stream().allMatch(e -> e.event() == null), "OpenAI sends data-only events");
        assertEquals("[DONE]", events.getLast().data());

        List<JsonNode> chunks = events.subList(0, events.size() - 1).stream().map(Sse::json).toList();
        String id = chunks.getFirst().path("id").asText();
        assertTrue(id.startsWith("chatcmpl-"));
        for (JsonNode c : chunks) {
            assertEquals(id, c.path("id").asText());
            assertEquals("chat.completion.chunk", c.path("object").asText());
            assertEquals("gpt-x", c.path("model").asText());
            assertTrue(c.path("created").isIntegralNumber());
        }
        JsonNode first = chunks.getFirst().path("choices").get(0);
        assertEquals(0, first.path("index").asInt());
        assertEquals("assistant", first.path("delta").path("role").asText());
        assertEquals("", first.path("delta").path("content").asText());
        assertTrue(first.path("finish_reason").isNull());

        StringBuilder text = new StringBuilder();
        StringBuilder args = new StringBuilder();
        List<JsonNode> toolDeltas = new ArrayList<>();
        for (JsonNode c : chunks.subList(1, chunks.size() - 2)) {
            JsonNode delta = c.path("choices").get(0).path("delta");
            text.append(delta.path("content").asText(""));
            for (JsonNode tc : delta.path("tool_calls")) {
                toolDeltas.add(tc);
                args.append(tc.path("function").path("arguments").asText());
            }
        }
        assertEquals("Running: ls -l", text.toString());
        JsonNode head = toolDeltas.getFirst();
        assertEquals(0, head.path("index").asInt());
        assertTrue(head.path("id").asText().startsWith("call_"));
        assertEquals("function", head.path("type").asText());
        assertEquals("bash", head.path("function").path("name").asText());
        assertTrue(toolDeltas.size() >= 4, "name first, then arguments in pieces");
        assertTrue(toolDeltas.subList(1, toolDeltas.size()).stream().noneMatch(tc -> tc.has("id") || tc.path("function").has("name")));
        assertEquals("{\"command\":\"ls -l\"}", args.toString());

        JsonNode finish = chunks.get(chunks.size() - 2);
        assertEquals("tool_calls", finish.path("choices").get(0).path("finish_reason").asText());
        assertTrue(finish.path("choices").get(0).path("delta").isEmpty());
        assertTrue(finish.path("usage").isNull(), "with include_usage, other chunks carry usage: null");
        JsonNode usage = chunks.getLast();
        assertTrue(usage.path("choices").isArray() && usage.path("choices").isEmpty());
        assertTrue(usage.path("usage").path("prompt_tokens").asInt() > 0);
    }

    @Test
    void missingKeyIs401InEachProvidersFormat() throws Exception {
        HttpResponse<String> a = post("/v1/messages", anthropicBody("hi", false));
        assertEquals(401, a.statusCode());
        JsonNode ab = Json.MAPPER.readTree(a.body());
        assertEquals("error", ab.path("type").asText());
        assertEquals("authentication_error", ab.path("error").path("type").asText());
        assertEquals("x-api-key header is required", ab.path("error").path("message").asText());

        HttpResponse<String> bearer = post("/v1/messages", anthropicBody("hi", false), "Authorization", "Bearer good");
        assertEquals(200, bearer.statusCode(), "Anthropic also accepts Authorization: Bearer");

        HttpResponse<String> o = post("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(401, o.statusCode());
        JsonNode ob = Json.MAPPER.readTree(o.body()).path("error");
        assertEquals("authentication_error", ob.path("type").asText());
        assertTrue(ob.path("message").asText().contains("Authorization: Bearer"));
        assertTrue(ob.has("param") && ob.has("code"));
    }

    @Test
    void errorDirectivesMapStatusToProviderErrorTypes() throws Exception {
        record Case(int status, String anthropicType, String openAiType) {}
        for (Case c : List.of(new Case(400, "invalid_request_error", "invalid_request_error"),
                new Case(403, "permission_error", "permission_error"),
                new Case(404, "not_found_error", "invalid_request_error"),
                new Case(429, "rate_limit_error", "requests"),
                new Case(500, "api_error", "server_error"),
                new Case(529, "overloaded_error", "server_error"))) {
            HttpResponse<String> a = anthropic(anthropicBody("[[error: " + c.status() + "]]", false));
            assertEquals(c.status(), a.statusCode());
            assertEquals(c.anthropicType(), Json.MAPPER.readTree(a.body()).path("error").path("type").asText());
            assertEquals(c.status() == 429 || c.status() == 529, a.headers().firstValue("retry-after").isPresent());
            assertTrue(a.headers().firstValue("request-id").isPresent());

            HttpResponse<String> o = openAi("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"[[error: " + c.status() + "]]\"}]}");
            assertEquals(c.status(), o.statusCode());
            assertEquals(c.openAiType(), Json.MAPPER.readTree(o.body()).path("error").path("type").asText());
        }
    }

    @Test
    void badRequestsGet400sThatSayWhatToFix() throws Exception {
        JsonNode notJson = Json.MAPPER.readTree(anthropic("{not json").body());
        assertEquals("invalid_request_error", notJson.path("error").path("type").asText());
        assertTrue(notJson.path("error").path("message").asText().contains("JSON object"));

        JsonNode noMessages = Json.MAPPER.readTree(openAi("{\"model\":\"m\"}").body());
        assertTrue(noMessages.path("error").path("message").asText().startsWith("messages: Field required"));

        JsonNode noModel = Json.MAPPER.readTree(anthropic("{\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").body());
        assertTrue(noModel.path("error").path("message").asText().startsWith("model: Field required"));

        HttpResponse<String> wrongStatus = anthropic(anthropicBody("[[error: 200]]", false));
        assertEquals(400, wrongStatus.statusCode());
        assertTrue(wrongStatus.body().contains("between 400 and 599"), wrongStatus.body());
    }

    @Test
    void healthRequestsAndUnknownPaths() throws Exception {
        try (FakeLlmServer own = FakeLlmServer.start(0)) {
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(own.anthropicBaseUrl() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertEquals("ok", Json.MAPPER.readTree(health.body()).path("status").asText());

            HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(own.anthropicBaseUrl() + "/v2/nothing")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode());
            assertTrue(missing.body().contains("POST /v1/messages"));

            HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(own.anthropicBaseUrl() + "/v1/messages"))
                    .header("x-api-key", "k").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, get.statusCode());

            JsonNode recorded = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create(own.anthropicBaseUrl() + "/_requests")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(2, recorded.size(), "health and _requests are not recorded: " + recorded);
            assertEquals("/v2/nothing", recorded.get(0).path("path").asText());
            assertEquals("GET", recorded.get(1).path("method").asText());
            assertEquals("k", recorded.get(1).path("headers").path("x-api-key").asText());
            assertTrue(recorded.get(1).path("body").isNull());
            own.clearRequests();
            assertTrue(own.requests().isEmpty());
        }
    }

    @Test
    void closeEndsAStreamInProgressPromptly() throws Exception {
        FakeLlmServer own = FakeLlmServer.start(0);
        HttpRequest req = HttpRequest.newBuilder(URI.create(own.anthropicBaseUrl() + "/v1/messages"))
                .header("x-api-key", "k").POST(HttpRequest.BodyPublishers.ofString(
                        anthropicBody("[[slow: 2000]] a b c d e f g", false))).build();
        HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            assertEquals("event: message_start", reader.readLine());
            long start = System.nanoTime();
            own.close();
            assertTrue((System.nanoTime() - start) / 1_000_000 < 3000, "close must not wait for the slow stream");
            try {
                while (reader.readLine() != null) {
                    // drain until the server's close ends the stream
                }
            } catch (java.io.IOException expected) {
                // the connection was reset: also an end
            }
        }
        // The port is released: a new server may bind it.
        try (FakeLlmServer again = FakeLlmServer.start(own.port())) {
            assertEquals(own.port(), again.port());
        }
    }

    @Test
    void clientHangingUpMidStreamLeavesTheServerHealthy() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(server.anthropicBaseUrl() + "/v1/messages"))
                .header("x-api-key", "k").POST(HttpRequest.BodyPublishers.ofString(
                        anthropicBody("[[slow: 50]] [[chunks: 40]]", false))).build();
        HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            assertTrue(in.read(new byte[64]) > 0);
        } // closing early drops the connection
        HttpResponse<String> next = anthropic(anthropicBody("still there?", false));
        assertEquals(200, next.statusCode());
        assertTrue(next.body().contains("still "));
    }

    @Test
    void anthropicNonStreamingMessageShape() throws Exception {
        JsonNode m = Json.MAPPER.readTree(anthropic("{\"model\":\"claude-x\",\"max_tokens\":10,\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"[[reply: done]]\"}]}").body());
        assertEquals("message", m.path("type").asText());
        assertEquals("assistant", m.path("role").asText());
        assertEquals("done", m.path("content").get(0).path("text").asText());
        assertEquals("end_turn", m.path("stop_reason").asText());
        assertFalse(m.path("usage").path("output_tokens").isMissingNode());
    }
}
