package dev.agentkernel;

/**
 * An {@link Ask} was cancelled ({@link Ask#cancel()}, or its thread interrupted) and the turn cancelled at the agent;
 * the agent's conversation keeps what was said so far. Ask again to continue.
 */
public class AskCancelledException extends AgentKernelException {
    public AskCancelledException(String message, Throwable cause) { super(message, cause); }
}
