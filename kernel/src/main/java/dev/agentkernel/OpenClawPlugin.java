package dev.agentkernel;

import dev.agentkernel.plugin.RunnerJvmFlags;
import dev.agentkernel.plugin.RunnerLocator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code openclaw} agent type: our Java runner ({@code dev.agentkernel.runner.RunnerMain}) with the
 * seed's OpenClawSpawnInfo fields. Set host env {@value #RUNNER_BIN_ENV} to start another runner binary
 * instead ({@code <bin> --config <path>}).
 */
public final class OpenClawPlugin implements AgentTypePlugin {

    public static final String RUNNER_BIN_ENV = "OPENCLAW_RUNNER_BIN";
    public static final String RUNNER_MAIN = "dev.agentkernel.runner.RunnerMain";
    public static final String API_KEY_ENV = "LLM_API_KEY";
    public static final String OPENAI_KEY_ENV = "OPENAI_API_KEY";

    @Override
    public String agentType() { return OpenClawSpawnInfo.AGENT_TYPE; }

    @Override
    public Class<? extends SpawnInfo> spawnInfoType() { return OpenClawSpawnInfo.class; }

    @Override
    public Map<String, Object> runnerConfig(SpawnInfo spawnInfo, Map<String, String> hostEnv) {
        if (!(spawnInfo instanceof OpenClawSpawnInfo info)) {
            throw new InvalidRequestException("agent type 'openclaw' expects spawnInfo of class "
                    + OpenClawSpawnInfo.class.getName() + " but got " + (spawnInfo == null ? "null" : spawnInfo.getClass().getName()));
        }
        if (!OpenClawSpawnInfo.PROVIDERS.contains(info.provider())) {
            throw new InvalidRequestException("provider '" + info.provider() + "' is not supported; use one of " + OpenClawSpawnInfo.PROVIDERS);
        }
        if (!OpenClawSpawnInfo.THINKING_LEVELS.contains(info.thinkingLevel())) {
            throw new InvalidRequestException("thinking level '" + info.thinkingLevel() + "' is not supported; use one of " + OpenClawSpawnInfo.THINKING_LEVELS);
        }
        if (info.maxToolRounds() != null && info.maxToolRounds() <= 0) {
            throw new InvalidRequestException("maxToolRounds must be at least 1, got " + info.maxToolRounds());
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("system_prompt", info.systemPrompt());
        config.put("model", info.model());
        config.put("provider", info.provider());
        config.put("tools", info.tools());
        config.put("thinking_level", info.thinkingLevel());
        // An empty key is passed on as is: the runner reports it at the first turn, naming LLM_API_KEY.
        config.put("api_key", apiKey(info, hostEnv));
        if (info.baseUrl() != null && !info.baseUrl().isBlank()) config.put("base_url", info.baseUrl());
        if (info.maxToolRounds() != null) config.put("max_tool_rounds", info.maxToolRounds());
        return config;
    }

    /** info.apiKey, else host LLM_API_KEY, else (provider openai) host OPENAI_API_KEY, else "". */
    static String apiKey(OpenClawSpawnInfo info, Map<String, String> hostEnv) {
        if (!info.apiKey().isEmpty()) return info.apiKey();
        String key = hostEnv.get(API_KEY_ENV);
        if (key != null && !key.isEmpty()) return key;
        if ("openai".equals(info.provider())) {
            key = hostEnv.get(OPENAI_KEY_ENV);
            if (key != null && !key.isEmpty()) return key;
        }
        return "";
    }

    @Override
    public List<String> command(Path configFile, Map<String, String> hostEnv) {
        String bin = hostEnv.get(RUNNER_BIN_ENV);
        if (bin != null && !bin.isBlank()) {
            Path binPath = Path.of(bin);
            if (!Files.isRegularFile(binPath) || !Files.isExecutable(binPath)) {
                throw new SpawnFailedException(RUNNER_BIN_ENV + "=" + bin + " is not an executable file; fix the path, "
                        + "chmod +x it, or unset " + RUNNER_BIN_ENV + " to use the built-in Java runner", List.of());
            }
            return List.of(binPath.toString(), "--config", configFile.toString());
        }
        Path jar = RunnerLocator.locate(hostEnv);
        List<String> cmd = new ArrayList<>();
        cmd.add(RunnerJvmFlags.currentJava());
        cmd.addAll(RunnerJvmFlags.forRunner(jar, cdsDir(configFile), hostEnv));
        cmd.add("-cp");
        cmd.add(jar.toString());
        cmd.add(RUNNER_MAIN);
        cmd.add("--config");
        cmd.add(configFile.toString());
        return cmd;
    }

    /** {@code <stateDir>/cds} (the runner class caches, AOT or CDS) when the config sits in {@code <stateDir>/agents/<id>/} (docs/architecture.md). */
    static Path cdsDir(Path configFile) {
        Path agentDir = configFile.toAbsolutePath().getParent();
        Path agents = agentDir == null ? null : agentDir.getParent();
        if (agents == null || agents.getFileName() == null || !agents.getFileName().toString().equals("agents")) return null;
        return agents.getParent().resolve("cds");
    }

    @Override
    public String toString() { return "OpenClawPlugin"; }
}
