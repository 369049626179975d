package dev.agentkernel.runner;

import com.fasterxml.jackson.databind.JsonNode;

/** One parsed SSE event of a turn, as a client sees it. */
public record SseEvent(String name, JsonNode data) {}
