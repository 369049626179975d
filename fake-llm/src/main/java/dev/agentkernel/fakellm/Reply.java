package dev.agentkernel.fakellm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A scripted assistant answer, before it is rendered in a provider's wire format.
 *
 * @param thinkingDeltas pieces of thinking text, empty when no thinking block is sent
 * @param textDeltas     pieces of the visible answer, in order; may be empty
 * @param toolCalls      tool calls that follow the text
 * @param delayMillis    pause before each streamed delta ({@code [[slow: MS]]})
 */
record Reply(List<String> thinkingDeltas, List<String> textDeltas, List<ToolCall> toolCalls, long delayMillis) {

    /** One tool call: the tool's name and its JSON input. */
    record ToolCall(String name, ObjectNode input) {}

    Reply {
        thinkingDeltas = List.copyOf(thinkingDeltas);
        textDeltas = List.copyOf(textDeltas);
        toolCalls = List.copyOf(toolCalls);
    }

    String thinking() {
        return String.join("", thinkingDeltas);
    }

    String text() {
        return String.join("", textDeltas);
    }

    boolean usesTools() {
        return !toolCalls.isEmpty();
    }

    /** Rough output-token count: one per delta plus the tool inputs' size / 4. */
    long outputTokens() {
        long tokens = thinkingDeltas.size() + textDeltas.size();
        for (ToolCall call : toolCalls) {
            tokens += Math.max(1, Json.write(call.input()).length() / 4);
        }
        return Math.max(1, tokens);
    }
}
