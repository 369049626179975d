package dev.agentkernel.spawn;

import dev.agentkernel.AgentStatus;
import dev.agentkernel.Spawner;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What {@link dev.agentkernel.AgentKernel} needs from a backend beyond the public {@link Spawner}:
 * where each agent listens, whether it still runs, and how to stop everything. The agent client
 * only talks to this interface, so later backends (sandbox, Kubernetes) reuse the same client.
 */
public interface Backend extends Spawner {

    /** local, sandbox, kubernetes. */
    String name();

    /**
     * Where the agent listens. Throws {@link dev.agentkernel.AgentNotFoundException} for an unknown
     * or killed agent, with a message that says which.
     */
    AgentEndpoint endpoint(String agentId);

    /** Status of every agent the backend started and has not killed, with liveness probed now. */
    CompletableFuture<List<AgentStatus>> status();

    /** Kills every non-detached agent this backend started. */
    CompletableFuture<Void> cleanup();

    /**
     * Releases threads and connections. Callers run {@link #cleanup()} first; a backend may still stop
     * agents whose spawn finished during the close, so none is left without an owner.
     */
    void close();
}
