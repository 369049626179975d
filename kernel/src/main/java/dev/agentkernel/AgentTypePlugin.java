package dev.agentkernel;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Teaches the kernel one agent type: which spawn info it takes, what goes into the runner config for it,
 * and how to start its runner.
 */
public interface AgentTypePlugin {

    /** The {@code agent_type} this plugin serves, e.g. {@code openclaw}. */
    String agentType();

    /** The spawn info class this type accepts; spawning with another type is an {@link InvalidRequestException}. */
    Class<? extends SpawnInfo> spawnInfoType();

    /**
     * The type-specific runner config fields (protocol.md names: system_prompt, model, provider, ...).
     * {@code hostEnv} is the environment forwarded to the agent, so the plugin can fill the API key from it.
     * Throw {@link InvalidRequestException} for values the runner would refuse.
     */
    Map<String, Object> runnerConfig(SpawnInfo info, Map<String, String> hostEnv);

    /**
     * The command that starts the runner with the given config file. {@code hostEnv} lets a plugin honour
     * an override such as {@code OPENCLAW_RUNNER_BIN}.
     */
    List<String> command(Path configFile, Map<String, String> hostEnv);
}
