package dev.agentkernel.spawn.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Stops a process and everything it started: TERM, a grace period, then KILL. */
public final class ProcessTreeKill {
    private ProcessTreeKill() {}

    /** Stops all {@code roots} and their descendants, in parallel, within about {@code grace} plus a second. */
    /**
     * Alive and not a zombie. A process that exited stays in the process table until its parent (or PID 1,
     * for an orphan) reaps it, which some containers do only every few seconds; {@link ProcessHandle#isAlive()}
     * counts it as alive until then.
     */
    public static boolean running(ProcessHandle h) {
        if (!h.isAlive()) return false;
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            // no /proc (not Linux), or the process vanished while we looked
            return h.isAlive() && !Files.isDirectory(Path.of("/proc"));
        }
    }

    /** {@link #running(ProcessHandle)} by pid. */
    public static boolean running(long pid) {
        return ProcessHandle.of(pid).map(ProcessTreeKill::running).orElse(false);
    }

    public static void terminate(Collection<ProcessHandle> roots, Duration grace) {
        // Children are listed before the parent goes: once it is dead they are re-parented and lost.
        List<ProcessHandle> all = new ArrayList<>();
        for (ProcessHandle root : roots) {
            all.add(root);
            root.descendants().forEach(all::add);
        }
        all.forEach(ProcessHandle::destroy);
        waitFor(all, grace);
        List<ProcessHandle> left = new ArrayList<>();
        for (ProcessHandle h : all) {
            if (h.isAlive()) {
                h.descendants().forEach(left::add);
                left.add(h);
            }
        }
        if (left.isEmpty()) return;
        left.forEach(ProcessHandle::destroyForcibly);
        waitFor(left, Duration.ofSeconds(1));
    }

    public static void terminate(ProcessHandle root, Duration grace) {
        terminate(List.of(root), grace);
    }

    /**
     * Processes whose working directory is {@code dir} or below it. When a runner is killed with
     * SIGKILL its tool processes are re-parented and no longer its descendants; they still sit in the
     * agent's workspace, which is how we find them. Linux only (/proc); elsewhere the list is empty.
     */
    public static List<ProcessHandle> workingIn(Path dir) {
        Path root;
        try {
            root = dir.toRealPath();
        } catch (IOException e) {
            return List.of();
        }
        if (!Files.isDirectory(Path.of("/proc/self"))) return List.of();
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses().filter(p -> p.pid() != self).filter(p -> {
            try {
                return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")).startsWith(root);
            } catch (IOException | SecurityException | UnsupportedOperationException gone) {
                return false;
            }
        }).toList();
    }

    private static void waitFor(List<ProcessHandle> handles, Duration timeout) {
        CompletableFuture<?>[] exits = handles.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(exits).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception timeoutOrFailure) {
            // The caller escalates for whatever is still alive.
        }
    }
}
