package dev.agentkernel;

/**
 * A running turn as a blocking iterable of chunks. Iterate once. Closing it before the final chunk
 * cancels the turn at the agent.
 */
public interface TurnStream extends Iterable<TurnResponse>, AutoCloseable {
    @Override
    void close();
}
