package dev.agentkernel.spawn.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/** The pool's bookkeeping with real (sleeping) processes standing in for standby runners. */
class WarmPoolTest {
    @TempDir Path tmp;

    private final List<WarmPool.Standby> discarded = new CopyOnWriteArrayList<>();
    private final AtomicInteger started = new AtomicInteger();
    private final List<WarmPool.Standby> created = new CopyOnWriteArrayList<>();

    private WarmPool.Standby sleeper() {
        int n = started.incrementAndGet();
        try {
            Process p = new ProcessBuilder("sleep", "60").start();
            WarmPool.Standby s = new WarmPool.Standby("s" + n, new AgentDir(tmp.resolve("s" + n)), "nonce" + n, 1000 + n, p, Map.of());
            created.add(s);
            return s;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void discard(WarmPool.Standby s) {
        try {
            s.process().destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        discarded.add(s);
    }

    @Test
    void fillsToItsSizeHandsOutLiveStandbysAndRefillsAfterAPause() {
        try (WarmPool pool = new WarmPool(2, this::sleeper, this::discard)) {
            pool.fill();
            assertTrue(waitUntil(() -> pool.readyCount() == 2), "filled to 2");
            assertEquals(2, started.get(), "no more than its size");
            WarmPool.Standby first = pool.take().orElseThrow();
            assertTrue(first.process().isAlive());
            assertEquals(1, pool.readyCount());
            long taken = System.nanoTime();
            assertTrue(waitUntil(() -> pool.readyCount() == 2), "refilled");
            assertTrue(System.nanoTime() - taken >= WarmPool.REFILL_DELAY.toNanos() * 9 / 10,
                    "the replacement waited for the spawns to pause");
            first.process().destroyForcibly();
        }
        assertEquals(2, discarded.size(), "close stopped the two standbys left");
        assertTrue(discarded.stream().noneMatch(s -> s.process().isAlive()));
    }

    @Test
    void aDeadStandbyIsDiscardedNotHandedOut() throws InterruptedException {
        try (WarmPool pool = new WarmPool(1, this::sleeper, this::discard)) {
            pool.fill();
            assertTrue(waitUntil(() -> pool.readyCount() == 1));
            WarmPool.Standby only = created.getFirst();
            only.process().destroyForcibly().waitFor();
            assertTrue(pool.take().isEmpty(), "a dead standby is not a claim");
            assertTrue(discarded.contains(only));
        }
    }

    @Test
    void startsThatKeepFailingStopTheRefill() throws InterruptedException {
        AtomicInteger attempts = new AtomicInteger();
        try (WarmPool pool = new WarmPool(2, () -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("no runner here");
        }, this::discard)) {
            pool.fill();
            assertTrue(waitUntil(() -> attempts.get() >= WarmPool.MAX_FAILURES_IN_A_ROW));
            Thread.sleep(300);
            assertEquals(WarmPool.MAX_FAILURES_IN_A_ROW, attempts.get(), "no endless restarts");
            assertTrue(pool.take().isEmpty());
            Thread.sleep(WarmPool.REFILL_DELAY.toMillis() + 300);
            assertEquals(WarmPool.MAX_FAILURES_IN_A_ROW, attempts.get(), "a take does not restart a stopped refill");
        }
    }

    private static boolean waitUntil(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return true;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }
}
