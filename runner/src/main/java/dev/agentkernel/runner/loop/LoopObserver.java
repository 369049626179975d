package dev.agentkernel.runner.loop;

import dev.agentkernel.runner.model.Cancellation;
import dev.agentkernel.runner.llm.ModelRequest;
import dev.agentkernel.runner.llm.ModelResponse;
import dev.agentkernel.runner.model.ToolCall;
import dev.agentkernel.runner.tools.ToolResult;

import java.util.function.Function;

/**
 * Sees every model call and stands in front of every tool call of a turn (the AgentBus). The default
 * observes nothing and runs every call.
 */
public interface LoopObserver {
    LoopObserver NONE = new LoopObserver() {};

    default void beforeModel(ModelRequest request) {}

    default void afterModel(ModelResponse response) {}

    /** Runs {@code call} through {@code runner}, or refuses it with an error result the model reads instead. */
    default ToolResult runTool(ToolCall call, Cancellation cancellation, Function<ToolCall, ToolResult> runner) {
        return runner.apply(call);
    }
}
