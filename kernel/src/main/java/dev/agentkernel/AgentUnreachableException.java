package dev.agentkernel;

/** The agent is known but does not answer: its process died, or the connection failed. */
public class AgentUnreachableException extends AgentKernelException {
    public AgentUnreachableException(String message) { super(message); }
    public AgentUnreachableException(String message, Throwable cause) { super(message, cause); }
}
