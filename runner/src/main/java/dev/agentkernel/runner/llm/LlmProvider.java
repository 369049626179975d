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

    /**
     * Runs one whole streamed call for {@code sample} against a scripted server at {@code baseUrl} (this provider's
     * wire form), through this provider's own SDK client and JSON mapper, so that the first real turn finds the
     * request, SSE and event-parsing paths loaded and their caches filled. Nothing of it stays in the provider.
     * Default: nothing.
     *
     * @throws LlmException when the scripted call fails
     */
    default void rehearse(ModelRequest sample, String baseUrl) {}

    @Override
    void close();
}
