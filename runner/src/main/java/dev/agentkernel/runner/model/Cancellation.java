package dev.agentkernel.runner.model;

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

    /** Interrupts the worker and closes everything registered; idempotent. */
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
        // The interrupt comes first (issue 17.2): the worker is a virtual thread, and interrupting one blocked in a
        // socket read closes that socket at once. A closer may not get that far on its own: the SDKs' stream close
        // takes the lock of the reader the worker is blocked in, so closing first waited for the model's next chunk
        // (interrupt -> next turn accepted 554 ms with chunks 400 ms apart, 2.1 s with chunks 2 s apart).
        Thread t = worker;
        if (t != null) {
            t.interrupt();
        }
        toClose.forEach(Cancellation::closeQuietly);
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

    /**
     * Opens a resource (the model's response stream) on a helper thread and waits for it, so that a cancel ends the
     * wait at once whatever the opener does meanwhile: the LLM SDKs retry a failed request after a back-off sleep of
     * up to seconds, and may rethrow the interrupt of that sleep as an undeclared {@link InterruptedException}. On
     * cancel the helper is interrupted and a resource it still delivers is closed unused.
     *
     * @throws TurnCancelledException when the turn is cancelled before the resource is there
     */
    public <T extends AutoCloseable> T open(java.util.function.Supplier<T> opener) {
        throwIfCancelled();
        java.util.concurrent.CompletableFuture<T> opened = new java.util.concurrent.CompletableFuture<>();
        Thread helper = Thread.ofVirtual().name("turn-open").start(() -> {
            try {
                opened.complete(opener.get());
            } catch (Throwable t) {
                opened.completeExceptionally(t);
            }
        });
        try (Registration ignored = register(helper::interrupt)) {
            return opened.get();
        } catch (InterruptedException e) {
            opened.thenAccept(Cancellation::closeQuietly);
            throw new TurnCancelledException();
        } catch (java.util.concurrent.ExecutionException e) {
            if (cancelled) throw new TurnCancelledException();
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException(cause.toString(), cause);
        }
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
