package dev.agentkernel.runner;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The LLM client is built, and one scripted turn rehearsed through it, before the runner reports ready, unless switched
 * off; the rehearsal sends nothing to the agent's endpoint and leaves nothing in its conversation; a bad key still leaves
 * a working runner.
 */
class WarmUpTest {

    @TempDir Path tmp;

    @AfterEach
    void clear() {
        System.clearProperty(dev.agentkernel.protocol.Protocol.WARM_UP_PROPERTY);
    }

    @Test
    void bothProvidersAreBuiltBeforeTheRunnerIsReady() throws Exception {
        for (String provider : dev.agentkernel.runner.llm.Providers.NAMES) {
            // nothing listens on port 9: the warm-up must not send anything
            try (TestRunner r = TestRunner.start(tmp.resolve(provider), TestRunner.config(provider, "http://127.0.0.1:9", c -> { }))) {
                assertTrue(r.runner.providerBuilt(), provider);
                assertEquals(200, r.client.get("/health").statusCode());
            }
        }
    }

    @Test
    void bothProvidersRehearseATurnInProcessAndTheAgentsEndpointAndHistoryStayEmpty() throws Exception {
        try (dev.agentkernel.fakellm.FakeLlmServer llm = dev.agentkernel.fakellm.FakeLlmServer.start(0)) {
            for (String provider : dev.agentkernel.runner.llm.Providers.NAMES) {
                String base = "openai".equals(provider) ? llm.openAiBaseUrl() : llm.anthropicBaseUrl();
                try (TestRunner r = TestRunner.start(tmp.resolve("r-" + provider), TestRunner.config(provider, base, c -> { }))) {
                    assertTrue(r.runner.rehearsed(), provider);
                    assertTrue(r.client.get("/info").body().contains("\"warm_up\":\"turn\""), r.client.get("/info").body());
                    assertEquals(List.of(), llm.requests(), "the rehearsal went to the agent's endpoint");
                    assertFalse(r.client.get("/history").body().contains("warm-up"), r.client.get("/history").body());
                    // the first real turn: its conversation is the user's message alone, answered as scripted
                    List<SseEvent> events = r.client.turn("[[reply: first answer]]");
                    String text = events.stream().filter(e -> e.name().equals("text")).map(e -> e.data().path("body").asText())
                            .reduce("", String::concat);
                    assertEquals("first answer", text, events.toString());
                    assertEquals(1, llm.requests().size());
                    assertFalse(llm.requests().get(0).body().toString().contains("warm-up"), llm.requests().get(0).body().toString());
                }
                llm.clearRequests();
            }
        }
    }

    @Test
    void buildOnlyBuildsTheClient() throws Exception {
        System.setProperty(dev.agentkernel.protocol.Protocol.WARM_UP_PROPERTY, "build");
        try (TestRunner r = TestRunner.start(tmp, TestRunner.config("anthropic", "http://127.0.0.1:9", c -> { }))) {
            assertTrue(r.runner.providerBuilt());
            assertFalse(r.runner.rehearsed());
            assertTrue(r.client.get("/info").body().contains("\"warm_up\":\"build\""), r.client.get("/info").body());
        }
    }

    @Test
    void offSkipsTheWarmUp() throws Exception {
        System.setProperty(dev.agentkernel.protocol.Protocol.WARM_UP_PROPERTY, "off");
        try (TestRunner r = TestRunner.start(tmp, TestRunner.config("anthropic", "http://127.0.0.1:9", c -> { }))) {
            assertFalse(r.runner.providerBuilt());
            assertFalse(r.runner.rehearsed());
        }
    }

    @Test
    void aMissingKeyIsLeftForTheFirstTurnToReport() throws Exception {
        try (TestRunner r = TestRunner.start(tmp, TestRunner.config("anthropic", "http://127.0.0.1:9", c -> c.put("api_key", "")))) {
            assertFalse(r.runner.providerBuilt());
            assertFalse(r.runner.rehearsed());
            assertTrue(r.client.get("/info").body().contains("\"warm_up\":\"failed\""), r.client.get("/info").body());
            assertEquals(200, r.client.get("/health").statusCode());
        }
    }
}
