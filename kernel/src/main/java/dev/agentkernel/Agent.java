package dev.agentkernel;

import java.time.Instant;
import java.util.Map;

/** An agent record. Holds no secret: the nonce lives only in {@link SpawnResult}. */
public record Agent(
        String id,
        String name,
        String teamId,
        String agentType,
        AgentState state,
        Map<String, String> metadata,
        String imageId,
        Instant createdAt,
        boolean detached) {

    public Agent {
        teamId = teamId == null ? "" : teamId;
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public Agent withState(AgentState newState) {
        return new Agent(id, name, teamId, agentType, newState, metadata, imageId, createdAt, detached);
    }
}
