package dev.agentkernel.spawn;

import dev.agentkernel.Agent;
import dev.agentkernel.AgentNotFoundException;

import java.util.Collection;

/** The "no such agent" error every backend raises, worded the same way: killed, or never known here. */
public final class AgentLookups {
    private AgentLookups() {}

    /**
     * @param killed  the agent's record if this kernel killed it, else null
     * @param running the agents this kernel still runs, listed so the caller can spot a mistyped id
     * @param afterKilled extra words for a killed agent (e.g. where its history stays), or ""
     */
    public static AgentNotFoundException notFound(String agentId, Agent killed, Collection<Agent> running, String afterKilled) {
        if (killed != null) {
            return new AgentNotFoundException("agent '" + killed.name() + "' (" + agentId + ") was killed; spawn a new agent to continue"
                    + afterKilled);
        }
        return new AgentNotFoundException("no agent with id " + agentId + " in this kernel; running agents: "
                + (running.isEmpty() ? "(none)" : String.join(", ", running.stream().map(a -> a.name() + " (" + a.id() + ")").toList())));
    }
}
