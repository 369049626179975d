package dev.agentkernel.helpers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.TurnResponse;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/** TurnView with hand-made chunks and a controlled clock; the end-to-end path is in AskTest. */
class TurnViewTest {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    static TurnResponse text(String body) {
        return new TurnResponse("text", body, null, false, JSON.objectNode().put("body", body));
    }

    static TurnResponse thinking(String body) {
        return new TurnResponse("thinking", body, null, false, JSON.objectNode().put("body", body));
    }

    static TurnResponse toolUse(String command) {
        ObjectNode data = JSON.objectNode().put("tool", "bash").put("id", "t1");
        data.putObject("input").put("command", command);
        return new TurnResponse("tool_use", null, null, false, data);
    }

    static TurnResponse toolResult(String output, boolean error) {
        JsonNode data = JSON.objectNode().put("id", "t1").put("output", output).put("is_error", error);
        return new TurnResponse("tool_result", null, null, false, data);
    }

    static TurnResponse done() {
        return new TurnResponse("done", null, null, true, JSON.objectNode().put("done", true));
    }

    @Test
    void plainDisplayPrintsTextRawAndToolsAsBlocks() {
        RecordingDisplay display = new RecordingDisplay(false);
        TurnView view = new TurnView(display);
        for (TurnResponse chunk : List.of(text("Let me "), text("look."), toolUse("ls -la"),
                toolResult("a.txt\nb.txt\n", false), text("Two files."), done())) {
            view.accept(chunk);
        }
        view.finish();
        assertEquals("Let me look.\n▶ bash: ls -la\n  │ a.txt\n  │ b.txt\nTwo files.\n", display.printed());
        assertTrue(display.events().stream().noneMatch(e -> e.startsWith("markdown")), display.events().toString());
    }

    @Test
    void richDisplayShowsEachTextStretchAsAMarkdownBlockUpdatedAtMostEvery100ms() {
        RecordingDisplay display = new RecordingDisplay(true);
        AtomicLong clock = new AtomicLong(1_000);
        TurnView view = new TurnView(display, true, clock::get);
        view.accept(text("# Title"));           // opens block 0 at once
        clock.addAndGet(30);
        view.accept(text("\nmore"));            // too soon: no update
        clock.addAndGet(80);
        view.accept(text(" text"));             // 110 ms since the last: update
        view.accept(toolUse("echo hi"));        // ends the block (nothing new to show)
        view.accept(toolResult("hi\n", false));
        view.accept(text("**done**"));          // block 1
        clock.addAndGet(10);
        view.accept(text("!"));
        view.accept(done());                    // final update of block 1 despite the throttle
        view.finish();
        assertEquals(List.of(
                "markdown0:# Title",
                "update0:# Title\nmore text",
                "print:▶ bash: echo hi\n",
                "print:  │ hi\n",
                "markdown1:**done**",
                "update1:**done**!"), display.events());
    }

    @Test
    void longToolOutputIsTruncatedAndErrorsAreMarked() {
        RecordingDisplay display = new RecordingDisplay(false);
        TurnView view = new TurnView(display);
        StringBuilder output = new StringBuilder();
        for (int i = 1; i <= 40; i++) output.append("line ").append(i).append('\n');
        view.accept(toolResult(output.toString(), true));
        String printed = display.printed();
        assertTrue(printed.contains("  ✗ line 1\n"), printed);
        assertTrue(printed.contains("  ✗ line " + TurnView.MAX_TOOL_LINES + "\n"), printed);
        assertFalse(printed.contains("line " + (TurnView.MAX_TOOL_LINES + 1) + "\n"), printed);
        assertTrue(printed.contains("(" + (40 - TurnView.MAX_TOOL_LINES) + " more lines"), printed);
    }

    @Test
    void thinkingIsDimmedAndPrefixed() {
        RecordingDisplay display = new RecordingDisplay(false);
        TurnView view = new TurnView(display);
        view.accept(thinking("hmm"));
        view.accept(text("Answer"));
        view.finish();
        String printed = display.printed();
        assertTrue(printed.startsWith("\u001b[2m💭 "), printed);
        assertTrue(printed.contains("\u001b[2mhmm\u001b[0m\nAnswer"), printed);
    }

    @Test
    void toolInputIsOneTruncatedLine() {
        ObjectNode input = JSON.objectNode().put("command", "echo a\necho b");
        assertEquals("echo a ⏎ echo b", TurnView.summarizeInput(input));
        ObjectNode other = JSON.objectNode().put("path", "/x");
        assertEquals("{\"path\":\"/x\"}", TurnView.summarizeInput(other));
        String long_ = "y".repeat(500);
        assertEquals(TurnView.MAX_TOOL_INPUT_CHARS + 1,
                TurnView.summarizeInput(JSON.objectNode().put("command", long_)).length());
    }
}
