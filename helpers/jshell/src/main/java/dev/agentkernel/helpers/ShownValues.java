package dev.agentkernel.helpers;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Values a helper already showed in the running cell, by identity. {@code ask(...)} streams its answer into
 * the cell; when the same answer is then the cell's last expression, the kernel leaves out the {@code Out[]}
 * that would show it a second time. Identity, not equality: a cell that computes an equal string on its own
 * still gets its result shown.
 */
public final class ShownValues {
    private static final Set<Object> SHOWN = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    private ShownValues() {}

    /** Marks {@code value} as shown in the running cell. */
    public static void mark(Object value) {
        if (value != null) SHOWN.add(value);
    }

    /** Whether this very object was marked since the last {@link #clear()}. */
    public static boolean wasShown(Object value) {
        return value != null && SHOWN.contains(value);
    }

    public static boolean isEmpty() {
        return SHOWN.isEmpty();
    }

    /** The kernel calls this when a cell starts: marks do not carry over to later cells. */
    public static void clear() {
        SHOWN.clear();
    }
}
