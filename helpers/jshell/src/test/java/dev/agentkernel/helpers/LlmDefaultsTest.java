package dev.agentkernel.helpers;

import dev.agentkernel.OpenClawSpawnInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.agentkernel.helpers.Helpers.openclaw;
import static dev.agentkernel.helpers.Helpers.scriptedLlm;
import static dev.agentkernel.helpers.Helpers.useLlm;
import static org.junit.jupiter.api.Assertions.*;

class LlmDefaultsTest {

    @AfterEach
    void reset() {
        useLlm(null, null);
    }

    @Test
    void openclawIsPrefilledFromTheEnvironment() {
        OpenClawSpawnInfo info = openclaw("You are a researcher.").build();
        assertEquals("You are a researcher.", info.systemPrompt());
        String envKey = System.getenv("LLM_API_KEY");
        assertEquals(envKey == null || envKey.isBlank() ? "" : envKey, info.apiKey());
        String envUrl = System.getenv("AGENTKERNEL_LLM_BASE_URL");
        assertEquals(envUrl == null || envUrl.isBlank() ? null : envUrl, info.baseUrl());
        assertEquals(OpenClawSpawnInfo.DEFAULT_MODEL, info.model());
    }

    @Test
    void scriptedLlmServesAndPointsOpenclawAtItUntilClosed() throws Exception {
        String url;
        try (ScriptedLlm llm = scriptedLlm()) {
            url = llm.baseUrl();
            assertTrue(url.startsWith("http://127.0.0.1:"), url);
            OpenClawSpawnInfo info = openclaw("p").build();
            assertEquals(url, info.baseUrl());
            assertEquals("offline-key", info.apiKey());
            var health = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/health")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
        }
        assertNotEquals(url, openclaw("p").build().baseUrl(), "closing restores the environment's LLM");
    }

    @Test
    void useLlmPointsLaterInfosAtAnotherServer() {
        useLlm("http://127.0.0.1:9999", "offline-key");
        OpenClawSpawnInfo info = openclaw("p").model("m").build();
        assertEquals("http://127.0.0.1:9999", info.baseUrl());
        assertEquals("offline-key", info.apiKey());
        assertEquals("m", info.model());
        assertFalse(info.toString().contains("offline-key"), "the key never shows in toString");
    }
}
