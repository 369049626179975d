package dev.agentkernel.runner.tools;

/** What a tool run produced; {@code isError} tells the model the call failed (non-zero exit, timeout, bad input). */
public record ToolResult(String output, boolean isError) {}
