package dev.agentkernel.fakellm;

/**
 * What the script needs to know about one LLM request, independent of the provider's wire format.
 *
 * @param model             model name the client asked for (echoed back, like the real APIs)
 * @param latestUserText    text of the last user message that carries text (not a tool result)
 * @param toolResultText    outputs of the tool results that end the conversation, or null when the
 *                          conversation ends with a plain user message
 * @param bashToolName      name of the request's bash-like tool, {@code bash} when none was declared
 * @param thinkingRequested the request enabled extended thinking (Anthropic {@code thinking.type=enabled})
 * @param stream            the client asked for a streaming response
 * @param includeUsage      OpenAI {@code stream_options.include_usage}
 * @param inputTokens       rough token count of the request (characters / 4), reported as usage
 */
record ScriptedConversation(
        String model,
        String latestUserText,
        String toolResultText,
        String bashToolName,
        boolean thinkingRequested,
        boolean stream,
        boolean includeUsage,
        long inputTokens) {

    boolean endsWithToolResult() {
        return toolResultText != null;
    }
}
