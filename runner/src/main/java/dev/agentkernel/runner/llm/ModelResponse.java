package dev.agentkernel.runner.llm;

import dev.agentkernel.runner.model.ToolCall;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.agentkernel.runner.model.Usage;

import java.util.List;

/**
 * A finished model call: the assistant message's content blocks (Anthropic form, ready for history), the tool
 * calls among them, the provider's stop reason (normalised to Anthropic names) and the token usage.
 */
public record ModelResponse(ArrayNode content, List<ToolCall> toolCalls, String stopReason, Usage usage) {}
