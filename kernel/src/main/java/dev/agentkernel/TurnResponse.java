package dev.agentkernel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.protocol.TurnEventData;

/**
 * One chunk of a turn stream. {@code event} is the SSE event name (text, thinking, tool_use, tool_result,
 * error, done); {@code data} is the whole JSON payload, for the fields beyond body/done/error.
 */
public record TurnResponse(String event, String body, String error, boolean done, JsonNode data) {

    public boolean isText() { return Protocol.EVENT_TEXT.equals(event); }
    public boolean isThinking() { return Protocol.EVENT_THINKING.equals(event); }
    public boolean isToolUse() { return Protocol.EVENT_TOOL_USE.equals(event); }
    public boolean isToolResult() { return Protocol.EVENT_TOOL_RESULT.equals(event); }
    public boolean isError() { return error != null; }

    /** For tool_use: the tool's name. */
    public String tool() { return TurnEventData.tool(data); }
    /** For tool_use / tool_result: the call id. */
    public String toolId() { return TurnEventData.toolId(data); }
    /** For tool_use: the tool's input object. */
    public JsonNode toolInput() { return TurnEventData.toolInput(data); }
    /** For tool_result: what the tool printed. */
    public String toolOutput() { return TurnEventData.toolOutput(data); }
    /** For tool_result: whether the tool failed or was refused. */
    public boolean toolIsError() { return TurnEventData.toolIsError(data); }
    /** For done: why the model stopped. */
    public String stopReason() { return TurnEventData.stopReason(data); }
    /** For done: the token usage object. */
    public JsonNode usage() { return TurnEventData.usage(data); }
}
