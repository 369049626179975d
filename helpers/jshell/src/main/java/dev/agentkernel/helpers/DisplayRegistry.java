package dev.agentkernel.helpers;

import java.util.concurrent.atomic.AtomicReference;

/** Holds the installed {@link Display}; an interface cannot hold mutable state itself. */
final class DisplayRegistry {
    private static final Display CONSOLE = new ConsoleDisplay();
    private static final AtomicReference<Display> CURRENT = new AtomicReference<>(CONSOLE);

    private DisplayRegistry() {}

    static Display current() {
        return CURRENT.get();
    }

    static void install(Display display) {
        CURRENT.set(display == null ? CONSOLE : display);
    }
}
