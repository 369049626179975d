package dev.agentkernel;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TurnTextTest {
    private static TurnResponse text(String body) { return new TurnResponse("text", body, null, false, null); }
    private static TurnResponse event(String name) { return new TurnResponse(name, null, null, false, JsonNodeFactory.instance.objectNode()); }

    @Test
    void textAfterAToolRoundStartsANewParagraph() {
        TurnText t = new TurnText();
        t.accept(text("Running: ")).accept(text("ls -la")).accept(event("tool_use")).accept(event("tool_result"))
                .accept(text("Tool result: ")).accept(text("a b"));
        assertEquals("Running: ls -la\n\nTool result: a b", t.text());
    }

    @Test
    void thinkingToolOutputAndDoneAreNotPartOfTheAnswer() {
        TurnText t = new TurnText();
        t.accept(new TurnResponse("thinking", "hmm", null, false, null)).accept(text("Hi"))
                .accept(new TurnResponse("done", null, null, true, null));
        assertEquals("Hi", t.text());
    }

    @Test
    void aToolRoundBeforeAnyTextAddsNoBlankLine() {
        TurnText t = new TurnText();
        t.accept(event("tool_use")).accept(event("tool_result")).accept(text("Done."));
        assertEquals("Done.", t.text());
    }
}
