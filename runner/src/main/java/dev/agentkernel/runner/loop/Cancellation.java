package dev.agentkernel.runner.loop;

import java.util.ArrayList;
import java.util.List;

/**
 * One turn's stop switch. Whatever blocks the turn (the LLM stream, a tool process) registers a closer here,
 * because a flag alone cannot wake a thread stuck in a socket read or {@code waitFor}.
 */
public final class Cancellation {
    private final List<AutoCloseable> closers = new ArrayList<>();
    private volatile boolean cancelled;
    private volatile Thread worker;

    /** The thread running the turn; it is interrupted on cancel to wake SDK retry sleeps and connects. */
    public void bindWorker(Thread thread) {
        this.worker = thread;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    public void throwIfCancelled() {
        if (cancelled) {
            throw new TurnCancelledException();
        }
    }

    /** Closes everything registered and interrupts the worker; idempotent. */
    public void cancel() {
        List<AutoCloseable> toClose;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            toClose = new ArrayList<>(closers);
            closers.clear();
        }
        toClose.forEach(Cancellation::closeQuietly);
        Thread t = worker;
        if (t != null) {
            t.interrupt();
        }
    }

    /**
     * Registers a closer for the duration of a blocking call; close the returned handle when the call is over.
     * If the turn is already cancelled the closer runs at once.
     */
    public Registration register(AutoCloseable closer) {
        synchronized (this) {
            if (!cancelled) {
                closers.add(closer);
                return () -> {
                    synchronized (Cancellation.this) {
                        closers.remove(closer);
                    }
                };
            }
        }
        closeQuietly(closer);
        return () -> { };
    }

    /** Drops the interrupt left by {@link #cancel()} so the worker can still write history and its last event. */
    public static void clearInterrupt() {
        Thread.interrupted();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort: the resource is being torn down anyway
        }
    }

    /** A registration handle whose close never throws. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
