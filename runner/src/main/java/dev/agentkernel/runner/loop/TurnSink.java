package dev.agentkernel.runner.loop;

/** Where a running turn sends its non-terminal events (text, thinking, tool_use, tool_result). */
@FunctionalInterface
public interface TurnSink {
    void emit(TurnEvent event);
}
