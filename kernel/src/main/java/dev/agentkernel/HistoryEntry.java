package dev.agentkernel;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One message of an agent's conversation. {@code content} is the message flattened to readable text
 * (tool calls and results summarised in brackets); {@code raw} keeps the original content blocks.
 */
public record HistoryEntry(String role, String content, JsonNode raw) {}
