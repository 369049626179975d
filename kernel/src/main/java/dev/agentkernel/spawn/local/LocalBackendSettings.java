package dev.agentkernel.spawn.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * How a {@link LocalBackend} runs agents. {@code portSource} hands out the runner's HTTP port
 * (default: a free loopback port; tests give a taken one to exercise the retry). {@code backendName}
 * and {@code launcher} let another backend reuse this one (the sandbox backend: "sandbox" and bubblewrap);
 * they default to "local" and {@link RunnerLauncher#DIRECT}.
 */
public record LocalBackendSettings(
        Path stateDir,
        Map<String, String> hostEnv,
        Duration spawnTimeout,
        Duration killGrace,
        IntSupplier portSource,
        String backendName,
        RunnerLauncher launcher) {

    public static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(3);

    public LocalBackendSettings {
        hostEnv = Map.copyOf(hostEnv);
        killGrace = killGrace == null ? DEFAULT_KILL_GRACE : killGrace;
        portSource = portSource == null ? LoopbackPorts::free : portSource;
        backendName = backendName == null ? LocalBackend.NAME : backendName;
        launcher = launcher == null ? RunnerLauncher.DIRECT : launcher;
    }

    /** The plain local backend. */
    public LocalBackendSettings(Path stateDir, Map<String, String> hostEnv, Duration spawnTimeout, Duration killGrace,
                                IntSupplier portSource) {
        this(stateDir, hostEnv, spawnTimeout, killGrace, portSource, null, null);
    }
}
