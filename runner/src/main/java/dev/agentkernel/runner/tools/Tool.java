package dev.agentkernel.runner.tools;

import dev.agentkernel.runner.model.ToolSpec;
import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.runner.model.Cancellation;

/** A tool the agent can call. Runs on the turn's thread and must stop promptly when the turn is cancelled. */
public interface Tool extends AutoCloseable {
    ToolSpec spec();

    /**
     * @throws dev.agentkernel.runner.model.TurnCancelledException if the turn was cancelled while it ran
     */
    ToolResult run(JsonNode input, Cancellation cancellation);

    /** Stops anything the tool still has running (runner shutdown). */
    @Override
    default void close() {}
}
