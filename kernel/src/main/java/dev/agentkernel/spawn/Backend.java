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
     * For the JVM shutdown hook ({@link dev.agentkernel.ShutdownHooks}): stop every non-detached agent now, within
     * about {@code grace} (the executor may already be refusing work). By default {@link #cleanup()} with a bound.
     */
    default void stopAllNow(java.time.Duration grace) {
        try {
            cleanup().get(grace.toMillis() * 3, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // Exiting anyway; the backend's own stale-agent sweep finds what is left.
        }
    }

    /**
     * {@link #close()}, choosing whether the stopped agents' directories (history, logs) stay, for backends that
     * keep any; the others ignore it.
     */
    default void close(boolean keepAgentDirs) { close(); }

    /**
     * Releases threads and connections. Callers run {@link #cleanup()} first; a backend may still stop
     * agents whose spawn finished during the close, so none is left without an owner.
     */
    void close();
}
