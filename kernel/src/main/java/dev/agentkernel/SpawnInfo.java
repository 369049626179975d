package dev.agentkernel;

/** Agent-type-specific spawn configuration, carried by {@link SpawnRequest#spawnInfo()}. */
public interface SpawnInfo {
    /** The agent type this info belongs to; a plugin for it must be registered. */
    String agentType();
}
