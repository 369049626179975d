package dev.agentkernel;

import java.util.List;

/**
 * A team and its capacity. cpu in cores; memory in bytes (null when the team reserved none).
 */
public record Team(String id, double cpu, Long memoryBytes, double cpuInUse, long memoryInUse, List<String> agentIds) {
    public Team {
        agentIds = agentIds == null ? List.of() : List.copyOf(agentIds);
    }
}
