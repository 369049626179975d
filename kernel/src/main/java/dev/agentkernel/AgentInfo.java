package dev.agentkernel;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** What the runner reports about itself on {@code GET /info}. */
public record AgentInfo(
        String agentId,
        String name,
        long pid,
        String cwd,
        long uid,
        String startedAt,
        String model,
        String provider,
        List<String> tools,
        JsonNode raw) {}
