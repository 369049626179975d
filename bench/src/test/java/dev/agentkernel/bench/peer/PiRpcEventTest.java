package dev.agentkernel.bench.peer;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lines as pi-coding-agent 0.73.1 prints them in RPC mode (taken from a real run against the scripted server). */
class PiRpcEventTest {

    @Test
    void getStateResponse() {
        PiRpcEvent e = PiRpcEvent.parse("{\"id\":\"1\",\"type\":\"response\",\"command\":\"get_state\",\"success\":true,\"data\":{\"isStreaming\":false}}");
        assertTrue(e.isResponse("get_state"));
        assertFalse(e.isResponse("prompt"));
        assertTrue(e.success());
        assertFalse(e.isTextDelta());
    }

    @Test
    void refusedPromptCarriesItsError() {
        PiRpcEvent e = PiRpcEvent.parse("{\"type\":\"response\",\"command\":\"prompt\",\"success\":false,\"error\":\"Agent is streaming\"}");
        assertTrue(e.isResponse("prompt"));
        assertFalse(e.success());
        assertEquals("Agent is streaming", e.error());
    }

    @Test
    void textDeltaButNotTextStart() {
        PiRpcEvent start = PiRpcEvent.parse("{\"type\":\"message_update\",\"assistantMessageEvent\":{\"type\":\"text_start\",\"contentIndex\":0,"
                + "\"partial\":{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Echo: \"}]}}}");
        assertFalse(start.isTextDelta(), "text_start already shows partial text but is no delta");
        PiRpcEvent delta = PiRpcEvent.parse("{\"type\":\"message_update\",\"assistantMessageEvent\":{\"type\":\"text_delta\",\"contentIndex\":0,"
                + "\"delta\":\"Echo: \",\"partial\":{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Echo: hello\"}]}}}");
        assertTrue(delta.isTextDelta());
        assertEquals("Echo: ", delta.delta());
    }

    @Test
    void agentEndCarriesTheLastAssistantText() {
        PiRpcEvent e = PiRpcEvent.parse("{\"type\":\"agent_end\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hello\"}]},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Echo: \"},{\"type\":\"text\",\"text\":\"hello\"}]}]}");
        assertTrue(e.isAgentEnd());
        assertEquals("Echo: hello", e.text());
        assertNull(PiRpcEvent.parse("{\"type\":\"turn_start\"}").text());
    }

    @Test
    void garbageIsAnErrorThatQuotesTheLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PiRpcEvent.parse("Debugger listening"));
        assertTrue(e.getMessage().contains("Debugger listening"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PiRpcEvent.parse("{\"no\":\"type\"}"));
        assertThrows(IllegalArgumentException.class, () -> PiRpcEvent.parse("[1,2]"));
    }
}
