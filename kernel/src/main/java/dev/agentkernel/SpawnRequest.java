package dev.agentkernel;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who the agent is (name, team, metadata) and how to start it (agent type, spawn info, image, env).
 * {@code resources} is what the agent takes from its team: {@code cpu} (default 1) and optionally {@code memory}; also
 * {@code workspace}, the size of its workspace (a quota in the sandbox and kubernetes backends, not counted by the team).
 */
public record SpawnRequest(
        String name,
        String teamId,
        String agentType,
        Map<String, String> metadata,
        String imageId,
        SpawnInfo spawnInfo,
        Map<String, String> env,
        AgentBusConfig agentbus,
        Map<String, Object> resources,
        boolean detached) {

    public SpawnRequest {
        teamId = teamId == null ? "" : teamId;
        agentType = agentType == null || agentType.isBlank()
                ? (spawnInfo != null ? spawnInfo.agentType() : "openclaw") : agentType;
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        env = env == null ? Map.of() : Map.copyOf(env);
        resources = resources == null ? Map.of() : Map.copyOf(resources);
    }

    public static Builder builder() { return new Builder(); }

    public static final class Builder {
        private String name;
        private String teamId = "";
        private String agentType;
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private String imageId;
        private SpawnInfo spawnInfo;
        private final Map<String, String> env = new LinkedHashMap<>();
        private AgentBusConfig agentbus;
        private final Map<String, Object> resources = new LinkedHashMap<>();
        private boolean detached;

        public Builder name(String name) { this.name = name; return this; }
        public Builder teamId(String teamId) { this.teamId = teamId; return this; }
        public Builder agentType(String agentType) { this.agentType = agentType; return this; }
        public Builder metadata(Map<String, String> metadata) { this.metadata.putAll(metadata); return this; }
        public Builder metadata(String key, String value) { this.metadata.put(key, value); return this; }
        public Builder imageId(String imageId) { this.imageId = imageId; return this; }
        public Builder spawnInfo(SpawnInfo spawnInfo) { this.spawnInfo = spawnInfo; return this; }
        public Builder env(Map<String, String> env) { this.env.putAll(env); return this; }
        public Builder env(String key, String value) { this.env.put(key, value); return this; }
        public Builder agentbus(AgentBusConfig agentbus) { this.agentbus = agentbus; return this; }
        public Builder resources(Map<String, Object> resources) { this.resources.putAll(resources); return this; }
        public Builder cpu(double cpu) { this.resources.put("cpu", cpu); return this; }
        public Builder memory(String memory) { this.resources.put("memory", memory); return this; }
        /** The workspace quota ("1Gi", "16Mi"; "0" for none): sandbox backend (root kernel) and kubernetes. */
        public Builder workspace(String size) { this.resources.put(dev.agentkernel.team.Resources.WORKSPACE_KEY, size); return this; }
        public Builder detached(boolean detached) { this.detached = detached; return this; }

        public SpawnRequest build() {
            return new SpawnRequest(name, teamId, agentType, metadata, imageId, spawnInfo, env, agentbus, resources, detached);
        }
    }
}
