package dev.agentkernel.cells;

import java.util.List;

/**
 * A cell failed: what Jupyter shows as an {@code error} output. {@code name} is what the user thinks of as
 * the error's type (the user's exception class, {@code CompileError}, {@code Interrupted}, ...), not this class.
 *
 * @see #traceback() the lines shown under it: the message first, then only frames of the user's code
 */
public final class CellError extends Exception {
    private final String name;
    private final List<String> traceback;

    public CellError(String name, String message, List<String> traceback) {
        super(message);
        this.name = name;
        this.traceback = List.copyOf(traceback);
    }

    public static CellError of(String name, String message) {
        return new CellError(name, message, List.of(name + ": " + message));
    }

    public String name() {
        return name;
    }

    public List<String> traceback() {
        return traceback;
    }
}
