package dev.agentkernel.runner.model;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

class CancellationTest {
    /**
     * The SDKs' stream close takes the lock of the reader the worker is blocked in (issue 17.2), so a closer can
     * only finish once the worker has let go: cancel must wake the worker before it runs the closers, or it waits
     * for whatever would otherwise wake the worker (the model's next chunk; here, never).
     */
    @Test
    void cancelWakesTheWorkerBeforeRunningACloserThatNeedsTheWorkersLock() throws Exception {
        Object readerLock = new Object();
        CountDownLatch holding = new CountDownLatch(1);
        AtomicBoolean workerWoken = new AtomicBoolean();
        Cancellation cancellation = new Cancellation();
        Thread worker = Thread.ofVirtual().unstarted(() -> {
            synchronized (readerLock) {
                holding.countDown();
                try {
                    Thread.sleep(60_000); // stands for a read that only the interrupt ends
                } catch (InterruptedException e) {
                    workerWoken.set(true);
                }
            }
        });
        cancellation.bindWorker(worker);
        worker.start();
        assertTrue(holding.await(5, TimeUnit.SECONDS));
        AtomicBoolean closed = new AtomicBoolean();
        cancellation.register(() -> {
            synchronized (readerLock) {
                closed.set(true);
            }
        });

        Thread canceller = Thread.ofVirtual().start(cancellation::cancel);
        boolean cancelReturned = canceller.join(java.time.Duration.ofSeconds(10));
        worker.interrupt(); // frees the old order's deadlock so the test leaves no stuck thread behind
        canceller.join(java.time.Duration.ofSeconds(5));

        assertTrue(cancelReturned, "cancel blocked in a closer waiting for the worker it had not woken yet");
        assertTrue(workerWoken.get());
        assertTrue(closed.get());
        assertTrue(cancellation.isCancelled());
    }

    @Test
    void aCloserRegisteredAfterCancelRunsAtOnce() {
        Cancellation cancellation = new Cancellation();
        cancellation.cancel();
        AtomicBoolean closed = new AtomicBoolean();
        cancellation.register(() -> closed.set(true)).close();
        assertTrue(closed.get());
        assertThrows(TurnCancelledException.class, cancellation::throwIfCancelled);
    }
}
