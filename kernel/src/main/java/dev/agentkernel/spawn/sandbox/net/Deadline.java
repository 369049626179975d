package dev.agentkernel.spawn.sandbox.net;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs an action (closing a channel) unless cancelled in time. Blocking socket channels have no read
 * timeout, so a peer that stays silent is cut off by closing its channel, which wakes the blocked reader.
 */
final class Deadline implements AutoCloseable {
    private static final int PENDING = 0;
    private static final int EXPIRED = 1;
    private static final int CANCELLED = 2;

    private final AtomicInteger state = new AtomicInteger(PENDING);
    private final Thread timer;

    private Deadline(Duration after, Runnable onExpiry) {
        timer = Thread.ofVirtual().name("deadline").start(() -> {
            try {
                Thread.sleep(after);
            } catch (InterruptedException cancelled) {
                return;
            }
            if (state.compareAndSet(PENDING, EXPIRED)) onExpiry.run();
        });
    }

    static Deadline start(Duration after, Runnable onExpiry) { return new Deadline(after, onExpiry); }

    /** Whether the action ran (or is running): the work it guarded did not finish in time. */
    boolean expired() { return state.get() == EXPIRED; }

    /** Cancels the action if it has not run yet. */
    @Override
    public void close() {
        if (state.compareAndSet(PENDING, CANCELLED)) timer.interrupt();
    }
}
