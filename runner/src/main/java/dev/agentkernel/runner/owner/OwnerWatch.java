package dev.agentkernel.runner.owner;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ends the runner when the kernel that spawned it is gone, however it died (kill -9, OOM, a Jupyter restart):
 * a shutdown hook in the kernel is not enough. Two signals, either suffices:
 * <ul>
 *   <li>the kernel keeps the write end of the runner's stdin open; when its process dies the OS closes it and
 *       the runner reads end-of-file at once;</li>
 *   <li>a periodic check that the owner pid is alive <em>and</em> has the same start time, so a pid reused by
 *       another process does not keep an orphan alive (the backup when stdin is not a pipe).</li>
 * </ul>
 */
public final class OwnerWatch {
    private final long ownerPid;
    private final Long ownerStartMillis;
    private final boolean watchStdin;
    private final Duration period;
    private final Runnable onOwnerGone;
    private final AtomicBoolean fired = new AtomicBoolean();

    public OwnerWatch(long ownerPid, Long ownerStartMillis, boolean watchStdin, Duration period, Runnable onOwnerGone) {
        this.ownerPid = ownerPid;
        this.ownerStartMillis = ownerStartMillis;
        this.watchStdin = watchStdin;
        this.period = period;
        this.onOwnerGone = onOwnerGone;
    }

    public void start(InputStream stdin) {
        if (watchStdin) {
            Thread.ofPlatform().daemon().name("owner-stdin").start(() -> {
                try {
                    byte[] buf = new byte[256];
                    while (stdin.read(buf) >= 0) {
                        // the kernel never writes; anything read is ignored
                    }
                } catch (IOException ignored) {
                    // a broken pipe means the same as end-of-file: the owner is gone
                }
                fire("the owning kernel's pipe closed");
            });
        }
        if (ownerPid > 0) {
            Thread.ofPlatform().daemon().name("owner-pid").start(() -> {
                while (!fired.get()) {
                    if (!ownerAlive()) {
                        fire("the owning kernel (pid " + ownerPid + ") is gone");
                        return;
                    }
                    try {
                        Thread.sleep(period.toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }
    }

    boolean ownerAlive() {
        Optional<ProcessHandle> h = ProcessHandle.of(ownerPid);
        if (h.isEmpty() || !h.get().isAlive()) return false;
        if (ownerStartMillis == null) return true;
        Optional<Instant> start = h.get().info().startInstant();
        // /proc start times have 10 ms granularity; allow a little slack rather than killing a live owner
        return start.isEmpty() || Math.abs(start.get().toEpochMilli() - ownerStartMillis) < 1000;
    }

    private void fire(String why) {
        if (fired.compareAndSet(false, true)) {
            System.err.println("runner: " + why + "; stopping (history is on disk)");
            onOwnerGone.run();
        }
    }
}
