package dev.agentkernel.bench;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The cold one-shot of the peer comparison, ours: a fresh JVM that builds a kernel, spawns an agent, asks it once,
 * kills it and exits, as a user's small program would ({@code pi -p hello} on the other side).
 *
 * <pre>java -cp &lt;bench class path&gt; dev.agentkernel.bench.OneShot &lt;llm base url&gt; &lt;state dir&gt; [message]</pre>
 *
 * Prints the answer on stdout and, on stderr, one line {@code oneshot-phases: name=epochMillis ...} so the
 * benchmark can tell where the time went (the process exit itself is measured by the parent).
 */
public final class OneShot {
    private OneShot() {}

    public static void main(String[] args) {
        List<String> phases = new ArrayList<>();
        mark(phases, "main");
        String baseUrl = args[0];
        Path stateDir = Path.of(args[1]);
        String message = args.length > 2 ? args[2] : "hello";
        try (AgentKernel kernel = AgentKernel.builder().plugin(new OpenClawPlugin()).stateDir(stateDir).build()) {
            mark(phases, "built");
            SpawnResult agent = kernel.spawner().spawn(SpawnRequest.builder().name("oneshot")
                    .spawnInfo(OpenClawSpawnInfo.builder().systemPrompt("You are a benchmark agent.")
                            .apiKey("bench-dummy-key").baseUrl(baseUrl).build())
                    .build()).join();
            mark(phases, "spawned");
            String answer = kernel.agentClient().ask(agent.agent().id(), agent.nonce(), message);
            mark(phases, "asked");
            System.out.println(answer);
            kernel.spawner().kill(agent.agent().id()).join();
            mark(phases, "killed");
        }
        mark(phases, "closed");
        System.err.println("oneshot-phases: " + String.join(" ", phases));
    }

    private static void mark(List<String> phases, String name) {
        phases.add(name + "=" + System.currentTimeMillis());
    }
}
