package dev.agentkernel.plugin;

import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnFailedException;
import dev.agentkernel.SpawnInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class OpenClawPluginTest {

    @TempDir Path tmp;
    private final OpenClawPlugin plugin = new OpenClawPlugin();

    @AfterEach
    void clearProperty() {
        System.clearProperty(RunnerLocator.PROPERTY);
    }

    @Test
    void runnerConfigCarriesTheSpawnInfoFields() {
        OpenClawSpawnInfo info = OpenClawSpawnInfo.builder().systemPrompt("be brief").model("m1").provider("openai")
                .tools(List.of("bash")).thinkingLevel("low").apiKey("k1").baseUrl("http://127.0.0.1:9/v1").maxToolRounds(4).build();
        Map<String, Object> c = plugin.runnerConfig(info, Map.of());
        assertEquals("be brief", c.get("system_prompt"));
        assertEquals("m1", c.get("model"));
        assertEquals("openai", c.get("provider"));
        assertEquals(List.of("bash"), c.get("tools"));
        assertEquals("low", c.get("thinking_level"));
        assertEquals("k1", c.get("api_key"));
        assertEquals("http://127.0.0.1:9/v1", c.get("base_url"));
        assertEquals(4, c.get("max_tool_rounds"));
    }

    @Test
    void defaultsFollowTheSeed() {
        Map<String, Object> c = plugin.runnerConfig(OpenClawSpawnInfo.builder().build(), Map.of());
        assertEquals("claude-sonnet-4-5", c.get("model"));
        assertEquals("anthropic", c.get("provider"));
        assertEquals("none", c.get("thinking_level"));
        assertEquals(List.of("bash"), c.get("tools"));
        assertEquals("", c.get("api_key"));
        assertFalse(c.containsKey("base_url"));
    }

    @Test
    void apiKeyComesFromInfoThenLlmApiKeyThenOpenAiKey() {
        Map<String, String> env = Map.of("LLM_API_KEY", "llm", "OPENAI_API_KEY", "oai");
        assertEquals("own", plugin.runnerConfig(OpenClawSpawnInfo.builder().apiKey("own").build(), env).get("api_key"));
        assertEquals("llm", plugin.runnerConfig(OpenClawSpawnInfo.builder().provider("openai").build(), env).get("api_key"));
        assertEquals("oai", plugin.runnerConfig(OpenClawSpawnInfo.builder().provider("openai").build(), Map.of("OPENAI_API_KEY", "oai")).get("api_key"));
        assertEquals("", plugin.runnerConfig(OpenClawSpawnInfo.builder().build(), Map.of("OPENAI_API_KEY", "oai")).get("api_key"),
                "OPENAI_API_KEY is only for the openai provider");
    }

    @Test
    void badProviderThinkingLevelOrInfoTypeIsRefused() {
        InvalidRequestException p = assertThrows(InvalidRequestException.class,
                () -> plugin.runnerConfig(OpenClawSpawnInfo.builder().provider("gemini").build(), Map.of()));
        assertTrue(p.getMessage().contains("gemini") && p.getMessage().contains("anthropic"), p.getMessage());
        InvalidRequestException t = assertThrows(InvalidRequestException.class,
                () -> plugin.runnerConfig(OpenClawSpawnInfo.builder().thinkingLevel("max").build(), Map.of()));
        assertTrue(t.getMessage().contains("max") && t.getMessage().contains("medium"), t.getMessage());
        SpawnInfo other = () -> "other";
        InvalidRequestException w = assertThrows(InvalidRequestException.class, () -> plugin.runnerConfig(other, Map.of()));
        assertTrue(w.getMessage().contains(OpenClawSpawnInfo.class.getName()), w.getMessage());
    }

    @Test
    void runnerBinReplacesTheCommand() throws Exception {
        Path bin = tmp.resolve("runner.sh");
        Files.writeString(bin, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwx------"));
        Path config = tmp.resolve("config.json");
        assertEquals(List.of(bin.toString(), "--config", config.toString()),
                plugin.command(config, Map.of("OPENCLAW_RUNNER_BIN", bin.toString())));
    }

    @Test
    void missingOrNonExecutableRunnerBinNamesTheVariable() throws Exception {
        SpawnFailedException missing = assertThrows(SpawnFailedException.class,
                () -> plugin.command(tmp.resolve("c.json"), Map.of("OPENCLAW_RUNNER_BIN", "/no/such/runner")));
        assertTrue(missing.getMessage().contains("OPENCLAW_RUNNER_BIN") && missing.getMessage().contains("/no/such/runner"));
        Path notExec = tmp.resolve("plain.sh");
        Files.writeString(notExec, "#!/bin/sh\n");
        Files.setPosixFilePermissions(notExec, PosixFilePermissions.fromString("rw-------"));
        assertThrows(SpawnFailedException.class, () -> plugin.command(tmp.resolve("c.json"), Map.of("OPENCLAW_RUNNER_BIN", notExec.toString())));
    }

    @Test
    void defaultCommandStartsTheJavaRunnerWithLeanFlagsAndCds() throws Exception {
        Path jar = tmp.resolve("agentkernel-runner.jar");
        Files.writeString(jar, "not really a jar");
        System.setProperty(RunnerLocator.PROPERTY, jar.toString());
        Path config = tmp.resolve("state/agents/abc/config.json");
        List<String> cmd = plugin.command(config, Map.of());
        assertEquals(RunnerJvmFlags.currentJava(), cmd.getFirst());
        assertTrue(cmd.containsAll(RunnerJvmFlags.LEAN), cmd.toString());
        // Not a real jar, so the CDS training run fails: the runner must then start without an archive
        // rather than with a flag pointing at a missing or half-written one.
        assertTrue(cmd.stream().noneMatch(a -> a.startsWith("-XX:SharedArchiveFile=") || a.startsWith("-XX:AOTCache")), cmd.toString());
        assertTrue(cmd.contains("-Dagentkernel.class.cache=none"), "the runner is told it has no cache: " + cmd);
        assertTrue(java.nio.file.Files.isDirectory(tmp.resolve("state/cds")));
        try (var left = java.nio.file.Files.list(tmp.resolve("state/cds"))) {
            // only the training logs, kept to say why
            assertEquals(List.of(), left.filter(f -> !f.toString().endsWith(".training.log")).toList(),
                    "a failed training leaves no cache or temp file");
        }
        int cp = cmd.indexOf("-cp");
        assertEquals(jar.toAbsolutePath().normalize().toString(), cmd.get(cp + 1));
        assertEquals(List.of(OpenClawPlugin.RUNNER_MAIN, "--config", config.toString()), cmd.subList(cp + 2, cmd.size()));
    }

    @Test
    void locatorExplainsHowToBuildTheRunner() {
        System.setProperty(RunnerLocator.PROPERTY, tmp.resolve("missing.jar").toString());
        SpawnFailedException e = assertThrows(SpawnFailedException.class, () -> RunnerLocator.locate(Map.of()));
        assertTrue(e.getMessage().contains(RunnerLocator.PROPERTY) && e.getMessage().contains("mvn -pl runner package"), e.getMessage());
        System.clearProperty(RunnerLocator.PROPERTY);
        SpawnFailedException env = assertThrows(SpawnFailedException.class,
                () -> RunnerLocator.locate(Map.of(RunnerLocator.ENV, tmp.resolve("gone.jar").toString())));
        assertTrue(env.getMessage().contains(RunnerLocator.ENV), env.getMessage());
    }

    @Test
    void locatorFindsTheJarAboveTheKernelBuildTree() throws Exception {
        Path repo = tmp.resolve("repo");
        Path jar = repo.resolve(RunnerLocator.JAR_IN_REPO);
        Files.createDirectories(jar.getParent());
        Files.writeString(jar, "x");
        Path classes = Files.createDirectories(repo.resolve("kernel/target/classes"));
        Path cliLib = Files.createDirectories(repo.resolve("cli/target/lib")).resolve("agentkernel-kernel.jar");
        assertEquals(jar, RunnerLocator.besideCodeSource(classes).orElseThrow());
        assertEquals(jar, RunnerLocator.besideCodeSource(cliLib).orElseThrow());
        assertTrue(RunnerLocator.besideCodeSource(tmp.resolve("elsewhere")).isEmpty());
    }
}
