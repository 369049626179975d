package dev.agentkernel.helpers;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Issue 17.4: with no key, the session says so at start and one call, scriptedLlm(), makes it work offline. */
class OfflineStartTest {

    @AfterEach
    void restore() {
        Helpers.useLlm(null, null);
    }

    @Test
    void theBannerOffersTheScriptedLlmOnlyWhenThereIsNoKey() {
        assumeTrue(System.getenv("LLM_API_KEY") == null || System.getenv("LLM_API_KEY").isBlank(), "a real key is set here");
        String offline = Helpers.banner();
        assertTrue(offline.startsWith("AgentKernel for Java ready"), offline);
        assertTrue(offline.contains("No LLM_API_KEY") && offline.contains("scriptedLlm()") && offline.contains("useLlm("), offline);
        assertEquals(1, offline.lines().count(), offline);
        Helpers.useLlm("http://127.0.0.1:1", "some-key");
        assertFalse(Helpers.banner().contains("scriptedLlm()"), Helpers.banner());
    }

    @Test
    void scriptedLlmIsStartedOnceAndPointsSpawnsAtIt() throws Exception {
        ScriptedLlm first = Helpers.scriptedLlm();
        try {
            ScriptedLlm again = Helpers.scriptedLlm();
            assertSame(first, again, "a second call reuses the running server");
            var info = Helpers.openclaw("You are a tester.").build();
            assertEquals(first.baseUrl(), info.baseUrl());
            assertEquals(ScriptedLlm.OFFLINE_KEY, info.apiKey());
            assertFalse(Helpers.banner().contains("No LLM_API_KEY"), "no hint once the scripted LLM is in use");
        } finally {
            first.close();
        }
        assertNotEquals(first.baseUrl(), Helpers.openclaw("x").build().baseUrl(), "closing points spawns back");
        ScriptedLlm second = Helpers.scriptedLlm();
        try {
            assertNotSame(first, second, "a closed server is not reused");
        } finally {
            second.close();
        }
    }
}
