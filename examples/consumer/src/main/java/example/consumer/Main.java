package example.consumer;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.helpers.Helpers;
import dev.agentkernel.helpers.ScriptedLlm;

/**
 * AgentKernel used from a project of its own: spawn an agent, ask it one thing, kill it. With no
 * {@code LLM_API_KEY} it talks to the scripted LLM server (offline); with one, to the real provider.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        String key = System.getenv("LLM_API_KEY");
        ScriptedLlm offline = key == null || key.isBlank() ? Helpers.scriptedLlm() : null;
        try (AgentKernel kernel = AgentKernel.local(new OpenClawPlugin())) {
            SpawnResult agent = kernel.spawner().spawn(SpawnRequest.builder()
                    .name("consumer")
                    .spawnInfo(Helpers.openclaw("You answer in one line.").build())
                    .build()).join();
            String answer = kernel.agentClient().ask(agent.agent().id(), agent.nonce(),
                    args.length > 0 ? String.join(" ", args) : "hello from another project");
            System.out.println("ANSWER " + answer.strip());
            kernel.spawner().kill(agent.agent().id()).join();
        } finally {
            if (offline != null) offline.close();
        }
    }
}
