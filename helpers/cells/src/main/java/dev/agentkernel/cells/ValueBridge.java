package dev.agentkernel.cells;

/**
 * Hands the value of a cell's last expression from JShell code to the kernel. JShell only reports values as
 * strings; the kernel needs the object itself to render it (e.g. a list of agents as an HTML table). Snippets
 * and kernel share this class because JShell's class loader delegates to the kernel's.
 */
public final class ValueBridge {
    private static volatile Object captured;

    private ValueBridge() {}

    /** Called by a generated snippet {@code ValueBridge.capture(name)} after the expression ran. */
    public static void capture(Object value) {
        captured = value;
    }

    /** The captured value, cleared so a stale one cannot be shown by a later cell. */
    static Object take() {
        Object value = captured;
        captured = null;
        return value;
    }
}
