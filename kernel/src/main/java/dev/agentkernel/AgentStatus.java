package dev.agentkernel;

/**
 * One agent's status. {@code podPhase} is null on backends without pods, {@code processAlive} null on
 * backends without a local process.
 */
public record AgentStatus(
        String agentId,
        String name,
        String teamId,
        AgentState state,
        boolean live,
        String podPhase,
        Boolean processAlive,
        boolean detached) {}
