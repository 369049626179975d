package dev.agentkernel.runner;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The LLM client is built before the runner reports ready, unless switched off; a bad key still leaves a working runner. */
class WarmUpTest {

    @TempDir Path tmp;

    @AfterEach
    void clear() {
        System.clearProperty(Runner.WARM_PROPERTY);
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
    void offSkipsTheWarmUp() throws Exception {
        System.setProperty(Runner.WARM_PROPERTY, "off");
        try (TestRunner r = TestRunner.start(tmp, TestRunner.config("anthropic", "http://127.0.0.1:9", c -> { }))) {
            assertFalse(r.runner.providerBuilt());
        }
    }

    @Test
    void aMissingKeyIsLeftForTheFirstTurnToReport() throws Exception {
        try (TestRunner r = TestRunner.start(tmp, TestRunner.config("anthropic", "http://127.0.0.1:9", c -> c.put("api_key", "")))) {
            assertFalse(r.runner.providerBuilt());
            assertEquals(200, r.client.get("/health").statusCode());
        }
    }
}
