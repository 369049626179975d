package dev.agentkernel.spawn.k8s;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.SpawnResult;

import java.nio.file.Path;

/**
 * A Kubernetes kernel in its own JVM for {@link OwnerLeaseTest}: built from {@code args[0]} (an agentkernel.yaml
 * pointing at the test cluster), it spawns one agent, prints {@code POD <name>} and {@code READY}, then waits to
 * be killed. Only a real process can be killed with SIGKILL, so only this proves that nothing of the kernel (no
 * shutdown hook, no close()) is needed for its pods to go.
 */
public final class KernelOnClusterMain {
    private KernelOnClusterMain() {}

    public static void main(String[] args) throws Exception {
        AgentKernel kernel = AgentKernel.builder().config(Path.of(args[0])).plugins(new OpenClawPlugin()).build();
        SpawnResult r = kernel.spawner().spawn(KubernetesBackendTest.request("victim").build()).join();
        String pod = ((KubernetesBackend) kernel.spawner()).podName(r.agent().id()).orElseThrow();
        System.out.println("POD " + pod);
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(300_000);
    }
}
