package dev.agentkernel;

/** A turn ended with an error event (provider error, missing key, agent died). */
public class TurnFailedException extends AgentKernelException {
    public TurnFailedException(String message) { super(message); }
    public TurnFailedException(String message, Throwable cause) { super(message, cause); }
}
