package dev.agentkernel.spawn.sandbox;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnFailedException;
import dev.agentkernel.SpawnRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.*;

/** Backend selection by name and YAML, and the spawn failure without bubblewrap (real spawns: tests module SandboxE2eTest). */
class SandboxBackendFactoryTest {

    @TempDir Path tmp;

    @Test
    void sandboxAndItsAliasBwrapAreAvailable() throws Exception {
        assertTrue(AgentKernel.availableBackends().containsAll(java.util.List.of("sandbox", "bwrap")));
        for (String name : java.util.List.of("sandbox", "bwrap", "SANDBOX")) {
            try (AgentKernel k = AgentKernel.builder().backend(name).stateDir(tmp.resolve(name)).build()) {
                assertEquals("sandbox", k.backend(), name);
            }
        }
        Path yaml = Files.writeString(tmp.resolve("k.yaml"), "backend: bwrap\n");
        try (AgentKernel k = AgentKernel.builder().config(yaml).stateDir(tmp.resolve("yaml")).build()) {
            assertEquals("sandbox", k.backend());
        }
    }

    @Test
    void withoutBubblewrapSpawningFailsWithTheInstallCommandAndLeavesNothing() throws Exception {
        Path state = tmp.resolve("state");
        // A runner command that exists without the runner jar (kernel tests run before the runner is built).
        Path runner = Files.writeString(tmp.resolve("runner.sh"), "#!/bin/sh\nexit 1\n");
        runner.toFile().setExecutable(true);
        try (AgentKernel k = AgentKernel.builder().backend("sandbox").plugin(new OpenClawPlugin()).stateDir(state)
                .hostEnv(Map.of("PATH", tmp.resolve("no-bwrap-here").toString(), "OPENCLAW_RUNNER_BIN", runner.toString())).build()) {
            CompletionException e = assertThrows(CompletionException.class, () -> k.spawner().spawn(SpawnRequest.builder().name("a")
                    .spawnInfo(OpenClawSpawnInfo.builder().model("m").build()).build()).join());
            assertInstanceOf(SpawnFailedException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("apt-get install bubblewrap"), e.getCause().getMessage());
            assertTrue(k.spawner().agents().isEmpty());
            Path agents = state.resolve("agents");
            try (var left = Files.exists(agents) ? Files.list(agents) : java.util.stream.Stream.<Path>empty()) {
                assertEquals(0, left.count(), "a failed spawn leaves no agent directory");
            }
        }
    }
}
