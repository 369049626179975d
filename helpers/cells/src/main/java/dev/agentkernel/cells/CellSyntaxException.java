package dev.agentkernel.cells;

/** The cell's structure is wrong before any Java is compiled (e.g. an unclosed {@code <helpers>} tag). */
public final class CellSyntaxException extends RuntimeException {
    public CellSyntaxException(String message) {
        super(message);
    }
}
