package dev.agentkernel.spawn.sandbox;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.ConfigException;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnFailedException;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.config.SandboxSettings;
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

    @Test
    void anAllowEntryWithoutAPortFailsTheBuildWithTheFix() throws Exception {
        Path yaml = Files.writeString(tmp.resolve("allow.yaml"), "sandbox: {allow: [\"pypi.org\"]}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> {
            try (AgentKernel k = AgentKernel.builder().backend("sandbox").config(yaml).stateDir(tmp.resolve("bad"))
                    .hostEnv(Map.of("PATH", "/usr/bin:/bin")).build()) {
                fail("built a kernel with a bad allow entry: " + k.config());
            }
        });
        assertTrue(e.getMessage().contains("'pypi.org'"), e.getMessage());
        assertTrue(e.getMessage().contains("pypi.org:443"), "names the fix: " + e.getMessage());
        assertTrue(e.getMessage().contains("sandbox.allow"), e.getMessage());
    }

    @Test
    void aProxyNoClientCanUseFailsTheBuildWithTheVariableAndTheFixOnEveryLocalBackend() throws Exception {
        for (String backend : java.util.List.of("sandbox", "local")) {
            Path state = tmp.resolve("proxy-" + backend);
            ConfigException e = assertThrows(ConfigException.class, () -> {
                try (AgentKernel k = AgentKernel.builder().backend(backend).stateDir(state)
                        .hostEnv(Map.of("PATH", "/usr/bin:/bin", "HTTPS_PROXY", "socks5://proxy.corp:1080")).build()) {
                    fail("built a " + backend + " kernel with a SOCKS proxy: " + k.config());
                }
            }, backend);
            assertTrue(e.getMessage().contains("HTTPS_PROXY=socks5://proxy.corp:1080")
                    && e.getMessage().contains("only http://") && e.getMessage().contains("unset it"), e.getMessage());
            assertFalse(Files.exists(state.resolve("agents")) && Files.list(state.resolve("agents")).findAny().isPresent(),
                    "no agent directory left behind");
        }
    }

    @Test
    void theBuildersSandboxSettingsWinOverTheConfigFile() throws Exception {
        Path yaml = Files.writeString(tmp.resolve("k.yaml"), "backend: sandbox\nsandbox: {network: isolated, allow: [\"pypi.org:443\"]}\n");
        try (AgentKernel k = AgentKernel.builder().config(yaml).stateDir(tmp.resolve("file"))
                .hostEnv(Map.of("PATH", "/usr/bin:/bin")).build()) {
            assertEquals(SandboxSettings.isolated("pypi.org:443"), k.config().sandbox(), "the file alone");
        }
        try (AgentKernel k = AgentKernel.builder().config(yaml).sandbox(SandboxSettings.hostNetwork()).stateDir(tmp.resolve("builder"))
                .hostEnv(Map.of("PATH", "/usr/bin:/bin")).build()) {
            assertEquals("sandbox", k.backend());
            assertEquals(SandboxSettings.hostNetwork(), k.config().sandbox());
        }
        // The builder's list replaces the file's rather than adding to it; a bad entry in the file no longer matters.
        Path bad = Files.writeString(tmp.resolve("bad.yaml"), "backend: sandbox\nsandbox: {allow: [\"pypi.org\"]}\n");
        try (AgentKernel k = AgentKernel.builder().config(bad).sandbox(SandboxSettings.isolated("example.com:443"))
                .stateDir(tmp.resolve("replaced")).hostEnv(Map.of("PATH", "/usr/bin:/bin")).build()) {
            assertEquals(java.util.List.of("example.com:443"), k.config().sandbox().allow());
        }
    }
}
