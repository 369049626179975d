package dev.agentkernel.spawn;

import dev.agentkernel.config.KernelConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Everything a backend needs from the kernel that builds it. */
public record BackendContext(
        KernelConfig config,
        Path stateDir,
        PluginRegistry plugins,
        NonceVault nonces,
        Map<String, String> hostEnv,
        Duration spawnTimeout) {}
