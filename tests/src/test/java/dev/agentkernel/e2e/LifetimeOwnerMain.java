package dev.agentkernel.e2e;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.spawn.local.LocalBackend;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The owner kernel of {@link LifetimeE2eTest}, in its own JVM so the test can SIGKILL it:
 * {@code <stateDir> <backend> <llmBaseUrl> <owned> <detached>}. Spawns the agents, gives each one turn
 * (so history exists on disk), prints {@code AGENT <id> <pid> <detached> <nonce>} per agent, then
 * {@code READY}, and blocks until killed. The nonce is printed only for the test, which must re-attach
 * to the detached agent the way a later notebook would.
 */
public final class LifetimeOwnerMain {
    public static void main(String[] args) throws Exception {
        Path stateDir = Path.of(args[0]);
        String backend = args[1];
        String llm = args[2];
        int owned = Integer.parseInt(args[3]);
        int detached = Integer.parseInt(args[4]);
        AgentKernel kernel = AgentKernel.builder().backend(backend).plugin(new OpenClawPlugin()).stateDir(stateDir)
                .hostEnv(Map.of("PATH", System.getenv("PATH"))).spawnTimeout(Duration.ofSeconds(60)).build();
        List<CompletableFuture<SpawnResult>> spawns = new ArrayList<>();
        for (int i = 0; i < owned + detached; i++) {
            boolean d = i >= owned;
            spawns.add(kernel.spawner().spawn(SpawnRequest.builder().name((d ? "detached-" : "owned-") + i).detached(d)
                    .spawnInfo(OpenClawSpawnInfo.builder().apiKey(E2e.KEY).baseUrl(llm).build()).build()));
        }
        List<SpawnResult> results = spawns.stream().map(CompletableFuture::join).toList();
        for (SpawnResult r : results) {
            kernel.ask(r.agent().id(), r.nonce(), "remember the word " + r.agent().name());
        }
        for (SpawnResult r : results) {
            long pid = ((LocalBackend) kernel.spawner()).pid(r.agent().id()).orElseThrow();
            System.out.println("AGENT " + r.agent().id() + " " + pid + " " + r.agent().detached() + " " + r.nonce());
        }
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(600_000);
    }
}
