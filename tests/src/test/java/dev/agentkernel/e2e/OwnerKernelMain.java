package dev.agentkernel.e2e;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.spawn.local.LocalBackend;

import java.nio.file.Path;
import java.util.Map;

/**
 * A kernel in its own JVM for the lifecycle tests: spawns one agent, prints {@code SPAWNED <id> <pid>},
 * then either exits without close() ({@code exit}: the shutdown hook must kill the agent) or waits to
 * be killed ({@code hang}: SIGKILL leaves an orphan for LocalStateDir.reap()).
 */
public final class OwnerKernelMain {
    public static void main(String[] args) throws Exception {
        Path stateDir = Path.of(args[0]);
        String mode = args[1];
        AgentKernel kernel = AgentKernel.builder().plugin(new OpenClawPlugin()).stateDir(stateDir).hostEnv(Map.of()).build();
        SpawnResult r = kernel.spawner().spawn(SpawnRequest.builder().name("owned")
                .spawnInfo(OpenClawSpawnInfo.builder().apiKey("k").baseUrl("http://127.0.0.1:9").build()).build()).join();
        long pid = ((LocalBackend) kernel.spawner()).pid(r.agent().id()).orElseThrow();
        System.out.println("SPAWNED " + r.agent().id() + " " + pid);
        System.out.flush();
        if (mode.equals("exit")) System.exit(0);
        Thread.sleep(120_000);
    }
}
