package dev.agentkernel.runner.model;

import com.fasterxml.jackson.databind.JsonNode;

/** The model asked to run tool {@code name} with {@code input}; {@code id} pairs it with its result. */
public record ToolCall(String id, String name, JsonNode input) {}
