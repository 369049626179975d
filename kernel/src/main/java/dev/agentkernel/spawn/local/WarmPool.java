package dev.agentkernel.spawn.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The local backend's warm pool ({@code warm_pool: N}, issue 14): standby runners started ahead of their agents, so
 * a spawn that fits one claims it (a config file and one HTTP call) instead of waiting for a JVM to start and warm
 * up. Standbys are started one at a time on one background thread, so the pool never takes both cores from the
 * work the user runs meanwhile, and a replacement for a claimed one waits until spawns paused for
 * {@link #REFILL_DELAY}: a burst of spawns gets the CPU for its agents' first turns, not for JVM starts. Three failed starts in a row stop the refill (a
 * runner that cannot start would otherwise be restarted forever); spawns then start cold as without a pool.
 */
final class WarmPool implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WarmPool.class.getName());
    static final int MAX_FAILURES_IN_A_ROW = 3;
    static final java.time.Duration REFILL_DELAY = java.time.Duration.ofSeconds(1);

    /** A started, warmed standby runner: its future agent's id and directory, nonce, standby port, process, env. */
    record Standby(String id, AgentDir dir, String nonce, int port, Process process, Map<String, String> env) {}

    private final int size;
    private final Supplier<Standby> starter;
    private final Consumer<Standby> discard;
    private final LinkedBlockingDeque<Standby> ready = new LinkedBlockingDeque<>();
    private final ExecutorService filler = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "agentkernel-warm-pool");
        t.setDaemon(true);
        return t;
    });
    private int starting;          // guarded by this
    private int failuresInARow;    // guarded by this
    private boolean closed;        // guarded by this
    private volatile long lastTakeNanos = System.nanoTime() - REFILL_DELAY.toNanos();

    /** {@code starter} starts one standby and waits until it is warm (throws when it cannot); {@code discard} stops one. */
    WarmPool(int size, Supplier<Standby> starter, Consumer<Standby> discard) {
        this.size = size;
        this.starter = starter;
        this.discard = discard;
    }

    /** Starts standbys until {@code size} are ready or starting. */
    synchronized void fill() {
        while (!closed && failuresInARow < MAX_FAILURES_IN_A_ROW && ready.size() + starting < size) {
            starting++;
            filler.execute(this::startOne);
        }
    }

    private void startOne() {
        synchronized (this) {
            if (closed || failuresInARow >= MAX_FAILURES_IN_A_ROW) { // a start queued before the refill stopped
                starting--;
                return;
            }
        }
        Standby standby = null;
        RuntimeException failure = null;
        try {
            for (long wait; (wait = lastTakeNanos + REFILL_DELAY.toNanos() - System.nanoTime()) > 0; ) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            standby = starter.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing
        } catch (RuntimeException e) {
            failure = e;
        }
        boolean keep;
        synchronized (this) {
            starting--;
            keep = standby != null && !closed;
            if (keep) ready.add(standby);
            if (failure != null && ++failuresInARow == MAX_FAILURES_IN_A_ROW) {
                LOG.warning("the warm pool stopped refilling after " + MAX_FAILURES_IN_A_ROW + " failed standby starts (" + failure.getMessage()
                        + "); spawns start cold runners");
            } else if (failure == null) {
                failuresInARow = 0;
            }
        }
        if (standby != null && !keep) discard.accept(standby);
        if (failure != null) LOG.fine("a standby runner failed to start: " + failure);
        fill();
    }

    /** A live standby for a claim, if one is ready; a replacement starts either way. */
    Optional<Standby> take() {
        lastTakeNanos = System.nanoTime();
        try {
            for (Standby s; (s = ready.pollFirst()) != null; ) {
                if (s.process().isAlive()) return Optional.of(s);
                discard.accept(s);
            }
            return Optional.empty();
        } finally {
            fill();
        }
    }

    /** Standbys ready now (for tests and the bench). */
    int readyCount() {
        return ready.size();
    }

    /** Stops the refill, waits for a start in progress, and stops every standby. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        filler.shutdownNow(); // a start in progress is interrupted and cleans up after itself
        try {
            filler.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            filler.shutdownNow();
            Thread.currentThread().interrupt();
        }
        List<Standby> left = new ArrayList<>();
        ready.drainTo(left);
        left.forEach(discard);
    }
}
