package dev.agentkernel.client;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;

import java.nio.file.Path;
import java.util.Map;

/**
 * A fresh kernel JVM's whole path to a first answer, for {@link RunnerConnectionsTest}: build a kernel, spawn an
 * agent (the test's mini runner), ask it once, kill it. Args: state dir, runner script. Prints the answer.
 */
public final class TrustStoreProbe {
    private TrustStoreProbe() {}

    public static void main(String[] args) {
        try (AgentKernel kernel = AgentKernel.builder().plugin(new OpenClawPlugin()).stateDir(Path.of(args[0]))
                .hostEnv(Map.of("OPENCLAW_RUNNER_BIN", args[1], "LLM_API_KEY", "probe-key")).build()) {
            SpawnResult agent = kernel.spawner().spawn(SpawnRequest.builder().name("probe")
                    .spawnInfo(OpenClawSpawnInfo.builder().model("m").build()).build()).join();
            System.out.println("answer: " + kernel.agentClient().ask(agent.agent().id(), agent.nonce(), "hi"));
            kernel.spawner().kill(agent.agent().id()).join();
        }
    }
}
