package dev.agentkernel;

/**
 * Collects the assistant's answer from a turn's chunks: text events only (not thinking, not tool output).
 * Text the model writes after a tool round starts a new paragraph, so an answer reads
 * "Running: ls\n\nTool result: ..." rather than running the rounds together.
 */
public final class TurnText {
    private final StringBuilder text = new StringBuilder();
    private boolean toolSinceText;

    /** Feeds one chunk; returns this for chaining. */
    public TurnText accept(TurnResponse chunk) {
        if (chunk.isToolUse() || chunk.isToolResult()) {
            toolSinceText = true;
        } else if (chunk.body() != null && (chunk.event() == null || chunk.isText())) {
            if (toolSinceText && !text.isEmpty() && !chunk.body().isEmpty()) {
                while (!text.isEmpty() && text.charAt(text.length() - 1) == ' ') text.setLength(text.length() - 1);
                if (text.charAt(text.length() - 1) != '\n') text.append('\n');
                text.append('\n');
            }
            if (!chunk.body().isEmpty()) toolSinceText = false;
            text.append(chunk.body());
        }
        return this;
    }

    public String text() {
        return text.toString();
    }

    @Override
    public String toString() {
        return text();
    }
}
