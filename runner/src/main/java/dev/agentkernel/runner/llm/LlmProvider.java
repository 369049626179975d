package dev.agentkernel.runner.llm;

import dev.agentkernel.runner.model.Cancellation;

/** One LLM API behind the agent loop. Implementations stream and translate to/from the Anthropic message form. */
public interface LlmProvider extends AutoCloseable {
    /**
     * Runs one streaming model call, handing text and thinking deltas to {@code listener} as they arrive.
     *
     * @throws LlmException for provider errors (message quotes the provider), after the SDK's retries
     * @throws dev.agentkernel.runner.model.TurnCancelledException when {@code cancellation} fired meanwhile
     */
    ModelResponse complete(ModelRequest request, StreamListener listener, Cancellation cancellation);

    /**
     * Builds (does not send) the SDK request for {@code sample}, so the request-building code has run once before
     * the first turn. Default: nothing.
     */
    default void warm(ModelRequest sample) {}

    @Override
    void close();
}
