package dev.agentkernel.helpers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.TurnResponse;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Shows a turn live on a {@link Display}. Tool calls and results become compact blocks
 * ({@code ▶ bash: ls -la} and an indented, truncated output); thinking is printed dimmed. Assistant text
 * is printed raw on plain displays; on rich displays each stretch of text between tool calls streams as plain
 * text and is replaced by its Markdown rendering when it ends ({@link Display#liveText()}: terminal front ends
 * see it arrive), or, where the display cannot replace output, is a Markdown block updated in place at most every
 * {@link #UPDATE_INTERVAL_MS} ms. Either way the blocks stay in the order things happened.
 */
public final class TurnView implements Consumer<TurnResponse> {
    static final long UPDATE_INTERVAL_MS = 100;
    static final int MAX_TOOL_LINES = 12;
    static final int MAX_TOOL_CHARS = 1200;
    static final int MAX_TOOL_INPUT_CHARS = 200;
    private static final String DIM = "\u001b[2m";
    private static final String RESET = "\u001b[0m";

    private final Display display;
    private final boolean markdown;
    private final LongSupplier clockMillis;
    private final StringBuilder segment = new StringBuilder();
    private DisplayHandle handle;
    /** Live text of a display that can replace output (Jupyter): streams for terminals, Markdown at the end. */
    private LiveText live;
    private String shown = "";
    private long lastUpdate;
    private boolean atLineStart = true;
    private boolean thinking;

    public TurnView(Display display) {
        this(display, display.isRich(), System::currentTimeMillis);
    }

    TurnView(Display display, boolean markdown, LongSupplier clockMillis) {
        this.display = Objects.requireNonNull(display, "display");
        this.markdown = markdown;
        this.clockMillis = clockMillis;
    }

    @Override
    public void accept(TurnResponse chunk) {
        if (chunk.isThinking()) {
            thinking(chunk.body());
        } else if (chunk.isToolUse()) {
            endSegment();
            endThinking();
            toolUse(chunk);
        } else if (chunk.isToolResult()) {
            endSegment();
            endThinking();
            toolResult(chunk);
        } else if (chunk.isError() || chunk.done()) {
            finish();
        } else if (chunk.body() != null && !chunk.body().isEmpty()) {
            endThinking();
            text(chunk.body());
        }
    }

    /** Flushes what is pending; called at the end of the turn, also when it failed. */
    public void finish() {
        endThinking();
        endSegment();
        if (!markdown && !atLineStart) print("\n");
    }

    private void text(String body) {
        if (!markdown) {
            print(body);
            return;
        }
        segment.append(body);
        if (live != null || (handle == null && (live = display.liveText()) != null)) {
            live.append(body);
            return;
        }
        long now = clockMillis.getAsLong();
        if (handle == null) {
            handle = display.markdown(segment.toString());
            shown = segment.toString();
            lastUpdate = now;
        } else if (now - lastUpdate >= UPDATE_INTERVAL_MS) {
            update(now);
        }
    }

    private void update(long now) {
        String current = segment.toString();
        if (!current.equals(shown)) {
            handle.update(current);
            shown = current;
        }
        lastUpdate = now;
    }

    /** Ends the current Markdown block with its full text, so the throttle never loses the tail. */
    private void endSegment() {
        if (live != null) live.finish(segment.toString());
        live = null;
        if (handle != null) update(clockMillis.getAsLong());
        handle = null;
        shown = "";
        segment.setLength(0);
    }

    private void thinking(String body) {
        if (body == null || body.isEmpty()) return;
        if (!thinking) {
            endSegment();
            newLine();
            print(DIM + "💭 " + RESET);
            thinking = true;
        }
        print(DIM + body + RESET);
    }

    private void endThinking() {
        if (!thinking) return;
        thinking = false;
        newLine();
    }

    private void toolUse(TurnResponse chunk) {
        newLine();
        String tool = chunk.tool() == null ? "tool" : chunk.tool();
        print("▶ " + tool + ": " + summarizeInput(chunk.toolInput()) + "\n");
    }

    private void toolResult(TurnResponse chunk) {
        newLine();
        String output = chunk.toolOutput() == null ? "" : chunk.toolOutput();
        StringBuilder block = new StringBuilder();
        String bar = chunk.toolIsError() ? "  ✗ " : "  │ ";
        if (output.isBlank()) {
            block.append(bar).append(chunk.toolIsError() ? "(failed, no output)" : "(no output)").append('\n');
        } else {
            String clipped = output.length() > MAX_TOOL_CHARS ? output.substring(0, MAX_TOOL_CHARS) : output;
            String[] lines = clipped.stripTrailing().split("\n", -1);
            int shownLines = Math.min(lines.length, MAX_TOOL_LINES);
            for (int i = 0; i < shownLines; i++) block.append(bar).append(lines[i].stripTrailing()).append('\n');
            int totalLines = output.stripTrailing().split("\n", -1).length;
            if (totalLines > shownLines || output.length() > MAX_TOOL_CHARS) {
                block.append("  … (").append(totalLines - shownLines).append(" more lines, ")
                        .append(output.length()).append(" chars in all)\n");
            }
        }
        print(block.toString());
    }

    /** bash shows its command; other tools their input as compact JSON; one line, truncated. */
    static String summarizeInput(JsonNode input) {
        if (input == null || input.isNull()) return "";
        String text = input.has("command") && input.get("command").isTextual()
                ? input.get("command").asText() : input.toString();
        String oneLine = text.strip().replace("\r", "").replace("\n", " ⏎ ");
        return oneLine.length() > MAX_TOOL_INPUT_CHARS ? oneLine.substring(0, MAX_TOOL_INPUT_CHARS) + "…" : oneLine;
    }

    private void newLine() {
        if (!atLineStart) print("\n");
    }

    private void print(String text) {
        if (text.isEmpty()) return;
        display.print(text);
        atLineStart = text.endsWith("\n");
    }
}
