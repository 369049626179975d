package dev.agentkernel.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LlmSetupTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void withAKeyItIsOnlineWithNaturalPromptsAndStartsNothing() {
        try (LlmSetup llm = LlmSetup.fromEnvironment(Map.of("LLM_API_KEY", "sk-real"), out)) {
            assertFalse(llm.offline());
            assertEquals("sk-real", llm.apiKey());
            assertNull(llm.baseUrl());
            assertEquals("Find papers.", llm.prompt("Find papers.", "[[bash: ls]]"));
        }
        assertFalse(bytes.toString(StandardCharsets.UTF_8).contains("OFFLINE"));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).startsWith("ONLINE: LLM_API_KEY is set"));
    }

    @Test
    void aBaseUrlOverrideIsPassedOn() {
        try (LlmSetup llm = LlmSetup.fromEnvironment(Map.of("LLM_API_KEY", "k", "LLM_BASE_URL", "http://proxy:8080"), out)) {
            assertEquals("http://proxy:8080", llm.baseUrl());
        }
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("real LLM provider at http://proxy:8080"));
    }

    @Test
    void withoutAKeyItServesTheScriptedLlmAndSaysSoFirst() throws Exception {
        String baseUrl;
        try (LlmSetup llm = LlmSetup.fromEnvironment(Map.of("LLM_API_KEY", " "), out)) {
            assertTrue(llm.offline());
            baseUrl = llm.baseUrl();
            assertTrue(bytes.toString(StandardCharsets.UTF_8).startsWith("OFFLINE: LLM_API_KEY is not set"));
            assertTrue(bytes.toString(StandardCharsets.UTF_8).contains(baseUrl));
            assertEquals("Find papers. [[bash: ls]]", llm.prompt("Find papers.", "[[bash: ls]]"));
            assertTrue(echo(baseUrl, llm.apiKey()).contains("Echo: ping"));
        }
        // Closed with the setup: nothing listens any more.
        assertThrows(java.io.IOException.class, () -> echo(baseUrl, "k"));
    }

    private static String echo(String baseUrl, String key) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/messages"))
                    .timeout(Duration.ofSeconds(10))
                    .header("content-type", "application/json").header("x-api-key", key)
                    .header("anthropic-version", "2023-06-01")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"m\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.body();
        }
    }
}
