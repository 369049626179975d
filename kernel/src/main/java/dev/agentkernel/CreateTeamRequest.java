package dev.agentkernel;

import java.util.Map;

/**
 * Reserve capacity for a team. {@code resources} takes {@code cpu} (number, or Kubernetes quantity like
 * "500m") and optionally {@code memory} (bytes, or a quantity like "2Gi").
 */
public record CreateTeamRequest(String teamId, Map<String, Object> resources) {
    public CreateTeamRequest {
        resources = resources == null ? Map.of() : Map.copyOf(resources);
    }
}
