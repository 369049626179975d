package dev.agentkernel.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Finds runner processes by what their command line mentions, to prove a test left none behind. */
final class RunnerProcesses {
    private RunnerProcesses() {}

    static List<ProcessHandle> under(Path stateDir) {
        String dir = stateDir.toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("RunnerMain") && c.contains(dir)).orElse(false))
                .toList();
    }

    /**
     * Kills whatever runner is still running under {@code stateDir} and returns the pids it found, so a
     * failing test reports the leak without leaving the processes behind for the next one.
     */
    static List<Long> killUnder(Path stateDir) {
        List<ProcessHandle> left = under(stateDir);
        for (ProcessHandle p : left) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        try {
            CompletableFuture.allOf(left.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Reported below by pid either way.
        }
        return left.stream().map(ProcessHandle::pid).toList();
    }
}
