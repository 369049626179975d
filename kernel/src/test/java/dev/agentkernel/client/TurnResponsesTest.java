package dev.agentkernel.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.HistoryEntry;
import dev.agentkernel.TurnResponse;
import dev.agentkernel.protocol.Protocol;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TurnResponsesTest {

    @Test
    void textChunk() {
        TurnResponse r = TurnResponses.parse("text", "{\"body\":\"Hel\",\"done\":false,\"error\":null}");
        assertEquals("text", r.event());
        assertEquals("Hel", r.body());
        assertNull(r.error());
        assertFalse(r.done());
        assertTrue(r.isText());
    }

    @Test
    void toolEventsKeepTheirFields() {
        TurnResponse use = TurnResponses.parse("tool_use", "{\"tool\":\"bash\",\"id\":\"t1\",\"input\":{\"command\":\"ls\"},\"done\":false}");
        assertTrue(use.isToolUse());
        assertEquals("bash", use.tool());
        assertEquals("t1", use.toolId());
        assertEquals("ls", use.toolInput().get("command").asText());
        TurnResponse res = TurnResponses.parse("tool_result", "{\"id\":\"t1\",\"output\":\"a\\nb\",\"is_error\":true}");
        assertEquals("a\nb", res.toolOutput());
        assertTrue(res.toolIsError());
        assertNull(res.body());
    }

    @Test
    void doneAndErrorEndTheStream() {
        TurnResponse done = TurnResponses.parse("done", "{\"done\":true,\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":3,\"output_tokens\":5}}");
        assertTrue(done.done());
        assertEquals("end_turn", done.stopReason());
        assertEquals(5, done.usage().get("output_tokens").asInt());
        TurnResponse error = TurnResponses.parse("error", "{\"error\":\"LLM_API_KEY is not set\",\"done\":true}");
        assertTrue(error.done());
        assertTrue(error.isError());
        assertEquals("LLM_API_KEY is not set", error.error());
        // An error event without the done flag still ends the stream.
        assertTrue(TurnResponses.parse("error", "{\"error\":\"x\"}").done());
        assertEquals("boom", TurnResponses.parse("error", "{\"body\":\"boom\"}").error());
    }

    @Test
    void unnamedEventsAreClassifiedByTheirFields() {
        assertEquals("text", TurnResponses.parse(null, "{\"body\":\"x\"}").event());
        assertEquals("done", TurnResponses.parse("message", "{\"done\":true}").event());
        assertEquals("error", TurnResponses.parse(null, "{\"error\":\"e\"}").event());
    }

    @Test
    void garbageBecomesAFinalError() {
        TurnResponse r = TurnResponses.parse("text", "not json");
        assertTrue(r.done());
        assertTrue(r.error().contains("not a JSON object"), r.error());
        assertTrue(TurnResponses.lost("gone").done());
    }

    @Test
    void historyIsFlattenedToText() throws Exception {
        JsonNode array = Protocol.json().readTree("""
                [{"role":"user","content":"hi"},
                 {"role":"assistant","content":[{"type":"text","text":"running"},{"type":"tool_use","id":"t","name":"bash","input":{"command":"ls"}}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"a.txt"}]}]},
                 {"role":"assistant","content":[{"type":"thinking","thinking":"hmm"},{"type":"text","text":"done"}]}]
                """);
        List<HistoryEntry> h = HistoryEntries.parse(array);
        assertEquals(4, h.size());
        assertEquals("hi", h.get(0).content());
        assertEquals("running\n[tool_use bash {\"command\":\"ls\"}]", h.get(1).content());
        assertEquals("[tool_result: a.txt]", h.get(2).content());
        assertEquals("[thinking: hmm]\ndone", h.get(3).content());
        assertEquals("assistant", h.get(3).role());
        assertTrue(h.get(1).raw().get("content").isArray());
    }
}
