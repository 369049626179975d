package dev.agentkernel.helpers;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A cell interrupt must cancel running turns. Helpers register "close this TurnStream" while a turn runs;
 * the Jupyter kernel calls {@link #interruptAll()} on {@code interrupt_request}.
 */
public final class Interrupts {
    private static final Logger LOG = Logger.getLogger(Interrupts.class.getName());

    /** Each registration is its own object, so the same Runnable may be registered twice. */
    private static final Set<Registration> HANDLERS = ConcurrentHashMap.newKeySet();

    private Interrupts() {}

    /** Runs {@code onInterrupt} on the next {@link #interruptAll()} unless the returned handle is closed first. */
    public static AutoCloseable register(Runnable onInterrupt) {
        Objects.requireNonNull(onInterrupt, "Interrupts.register(null): pass the action that cancels your work");
        Registration registration = new Registration(onInterrupt);
        HANDLERS.add(registration);
        return registration;
    }

    /**
     * Runs and removes every registered handler. A failing handler is logged and does not stop the others:
     * an interrupt must reach every running turn.
     */
    public static void interruptAll() {
        for (Registration registration : HANDLERS) {
            if (!HANDLERS.remove(registration)) continue; // closed or run concurrently
            try {
                registration.action.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "An interrupt handler failed; continuing with the others", e);
            }
        }
    }

    /** How many handlers are registered now (for diagnostics and tests). */
    public static int pending() {
        return HANDLERS.size();
    }

    private static final class Registration implements AutoCloseable {
        private final Runnable action;

        Registration(Runnable action) {
            this.action = action;
        }

        @Override
        public void close() {
            HANDLERS.remove(this);
        }
    }
}
