package dev.agentkernel.runner.llm;

/** A provider problem whose message is fit for the turn's {@code error} event: what went wrong and what to do. */
public final class LlmException extends RuntimeException {
    public LlmException(String message) {
        super(message);
    }

    public LlmException(String message, Throwable cause) {
        super(message, cause);
    }
}
