package dev.agentkernel.spawn;

import dev.agentkernel.Agent;

/**
 * A backend that can take over an agent another kernel spawned with {@code detached(true)}: after
 * {@link #attach(String, String)} the agent is this kernel's like any other (turns, history, status,
 * kill), except that {@code cleanup()} and {@code close()} leave it running, as they do for every
 * detached agent.
 */
public interface Reattachable {

    /**
     * Registers the detached agent {@code agentId} with its {@code nonce}, after checking that its process
     * runs and that it accepts the nonce. Throws {@link dev.agentkernel.AgentNotFoundException} for an id
     * with no record, {@link dev.agentkernel.AgentUnreachableException} when its process is gone,
     * {@link dev.agentkernel.NonceRejectedException} for a wrong nonce and
     * {@link dev.agentkernel.InvalidRequestException} for an agent that is not detached.
     */
    Agent attach(String agentId, String nonce);
}
