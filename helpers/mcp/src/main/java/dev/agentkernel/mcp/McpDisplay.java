package dev.agentkernel.mcp;

import dev.agentkernel.helpers.Display;
import dev.agentkernel.helpers.DisplayHandle;
import dev.agentkernel.helpers.LiveText;

import java.util.function.Consumer;

/**
 * The helpers' {@link Display} inside the MCP server: what a cell shows ({@code ask} streaming a turn, {@code show},
 * tables) goes into the cell's printed output (System.out, captured by the CellRunner into the tool result) and, as
 * it arrives, to the client as a notification of the call that is running. Rich, so {@code ask} streams as in a
 * notebook; a cell ending in {@code ask(...)} then has its answer in the output once, not again as a value.
 */
final class McpDisplay implements Display {
    /** The running call's notification sink; a no-op between calls. */
    private volatile Consumer<String> sink = text -> {};

    void sink(Consumer<String> sink) {
        this.sink = sink == null ? text -> {} : sink;
    }

    @Override
    public void print(String text) {
        if (text == null || text.isEmpty()) return;
        System.out.print(text);
        System.out.flush();
        sink.accept(text);
    }

    @Override
    public void html(String html, String plainText) {
        print(plainText.endsWith("\n") ? plainText : plainText + "\n");
    }

    @Override
    public DisplayHandle markdown(String markdown) {
        print(markdown.endsWith("\n") ? markdown : markdown + "\n");
        return new DisplayHandle() {
            @Override
            public void update(String newMarkdown) {
                // a console cannot replace what it printed; the final text comes with the tool result
            }
        };
    }

    @Override
    public LiveText liveText() {
        return new LiveText() {
            private boolean atLineStart = true;

            @Override
            public void append(String delta) {
                if (delta.isEmpty()) return;
                print(delta);
                atLineStart = delta.endsWith("\n");
            }

            @Override
            public void finish(String markdown) {
                if (!atLineStart) print("\n");
            }
        };
    }
}
