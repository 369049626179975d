package dev.agentkernel.runner.llm;

import dev.agentkernel.runner.model.ChatMessage;
import dev.agentkernel.runner.model.ToolSpec;

import java.util.List;

/** What one model call sends: the system prompt, the whole conversation and the tools the model may call. */
public record ModelRequest(String systemPrompt, List<ChatMessage> messages, List<ToolSpec> tools) {}
