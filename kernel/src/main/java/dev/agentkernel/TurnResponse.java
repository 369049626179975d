package dev.agentkernel;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One chunk of a turn stream. {@code event} is the SSE event name (text, thinking, tool_use, tool_result,
 * error, done); {@code data} is the whole JSON payload, for the fields beyond body/done/error.
 */
public record TurnResponse(String event, String body, String error, boolean done, JsonNode data) {

    public boolean isText() { return "text".equals(event); }
    public boolean isThinking() { return "thinking".equals(event); }
    public boolean isToolUse() { return "tool_use".equals(event); }
    public boolean isToolResult() { return "tool_result".equals(event); }
    public boolean isError() { return error != null; }

    /** For tool_use: the tool's name. */
    public String tool() { return text("tool"); }
    /** For tool_use / tool_result: the call id. */
    public String toolId() { return text("id"); }
    /** For tool_use: the tool's input object. */
    public JsonNode toolInput() { return data == null ? null : data.get("input"); }
    /** For tool_result: what the tool printed. */
    public String toolOutput() { return text("output"); }
    /** For tool_result: whether the tool failed or was refused. */
    public boolean toolIsError() { return data != null && data.path("is_error").asBoolean(false); }
    /** For done: why the model stopped. */
    public String stopReason() { return text("stop_reason"); }
    /** For done: the token usage object. */
    public JsonNode usage() { return data == null ? null : data.get("usage"); }

    private String text(String field) {
        if (data == null) return null;
        JsonNode n = data.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}
