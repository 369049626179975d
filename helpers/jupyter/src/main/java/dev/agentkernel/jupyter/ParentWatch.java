package dev.agentkernel.jupyter;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * Ends the kernel when the frontend that started it is gone, as ipykernel's parent poller does: jupyter_client passes
 * its pid in {@code JPY_PARENT_PID}. Without this, closing the terminal of a {@code jupyter console} (SIGHUP, or a
 * SIGKILL of the console) re-parents the kernel JVM to PID 1, and it and its agents run on forever (issue 17.10).
 *
 * <p>The parent counts as gone when this process has been re-parented away from it (the check that cannot be fooled by
 * a reused pid), or, when the kernel was started through a wrapper and the frontend is not its direct parent, when no
 * live process has that pid any more. A lost heartbeat is not used: a frontend that is merely paused (a laptop lid, a
 * debugger) stops heartbeating too, and killing its agents then would lose work.
 */
final class ParentWatch {
    static final String ENV = "JPY_PARENT_PID";
    /** Poll interval: the kernel and its runners are gone within about a second of the frontend. */
    static final long POLL_MILLIS = 250;

    private ParentWatch() {}

    /** The frontend's pid from {@code JPY_PARENT_PID}, if it names a process other than init. */
    static OptionalLong parentPid(String value) {
        if (value == null || value.isBlank()) return OptionalLong.empty();
        try {
            long pid = Long.parseLong(value.trim());
            return pid > 1 ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Starts a daemon thread that runs {@code onGone} once the frontend {@code parentPid} is gone; returns it, or
     * empty when there is no frontend to watch.
     */
    static Optional<Thread> start(OptionalLong parentPid, Runnable onGone) {
        if (parentPid.isEmpty()) return Optional.empty();
        long pid = parentPid.getAsLong();
        boolean directChild = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) == pid;
        Thread thread = Thread.ofPlatform().daemon().name("agentkernel-parent-watch").start(() -> {
            while (!gone(pid, directChild)) {
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
            onGone.run();
        });
        return Optional.of(thread);
    }

    static boolean gone(long pid, boolean directChild) {
        if (directChild) return ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) != pid;
        return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    }
}
