package dev.agentkernel.runner.llm;

import dev.agentkernel.runner.model.ChatMessage;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The warm-up's scripted turn: in process, direct even when the agent's client goes through a proxy. */
class RehearsalTest {
    private static final ModelRequest SAMPLE = new ModelRequest("You are terse.", List.of(ChatMessage.userText("warm-up")), List.of());

    @Test
    void bothProvidersRehearseDirectlyWhileTheirOwnRequestsGoThroughAnUnreachableProxy() {
        // nothing listens on port 9: a rehearsal sent through the agent's proxy would fail
        Proxy proxy = new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", 9));
        for (String name : Providers.NAMES) {
            try (Providers providers = new Providers(name, "m", "key", "http://127.0.0.1:9", null, 0, proxy)) {
                providers.rehearse(SAMPLE);
                assertTrue(providers.built(), name);
            }
        }
    }

    @Test
    void theAgentsKeyIsNotSentToTheScriptedServerWhichServesWhatItRecordsToAnyoneOnTheLoopback() {
        String key = "sk-the-agents-own-key-0123456789";
        try (dev.agentkernel.fakellm.FakeLlmServer llm = dev.agentkernel.fakellm.FakeLlmServer.start(0)) {
            for (String name : Providers.NAMES) {
                try (Providers providers = new Providers(name, "m", key, "http://127.0.0.1:9", null, 0, null)) {
                    providers.rehearse(SAMPLE, llm);
                }
            }
            assertEquals(2, llm.requests().size(), "one rehearsed request per provider");
            for (dev.agentkernel.fakellm.RecordedRequest r : llm.requests()) {
                assertFalse(r.headers().toString().contains(key), "the agent's key reached the scripted server: " + r.headers());
                assertTrue(r.headers().toString().contains(Providers.REHEARSAL_KEY), r.headers().toString());
            }
        }
    }

    @Test
    void aMissingKeyFailsTheRehearsalWithTheFirstTurnsError() {
        try (Providers providers = new Providers("anthropic", "m", "", null, null, 0, null)) {
            LlmException e = assertThrows(LlmException.class, () -> providers.rehearse(SAMPLE));
            assertTrue(e.getMessage().contains("no API key"), e.getMessage());
        }
    }
}
