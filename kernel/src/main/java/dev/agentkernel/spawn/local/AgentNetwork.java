package dev.agentkernel.spawn.local;

import dev.agentkernel.protocol.RunnerConfig;

/**
 * What one agent's network needs from the kernel while it runs. For the {@code local} backend nothing
 * ({@link #SHARED}: the runner binds a host loopback port itself); the sandbox backend's isolated network
 * relays the runner's ports and its way out through Unix sockets that live as long as this object.
 */
public interface AgentNetwork {

    /** The host's network: nothing to set up, nothing to close. */
    AgentNetwork SHARED = new AgentNetwork() {
        @Override
        public void close() {}

        @Override
        public String toString() { return "shared"; }
    };

    /** Adds what the runner needs to know of this network to its config (protocol.md), e.g. {@code relay_dir}. */
    default void configure(RunnerConfig.Builder config) {}

    /** Stops relaying; what the agent needs to be re-attached stays (its runner may still run, detached). */
    void close();

    /** The agent is gone for good: stop relaying and remove what was kept for it. */
    default void delete() { close(); }
}
