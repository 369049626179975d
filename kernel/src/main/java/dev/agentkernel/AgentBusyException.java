package dev.agentkernel;

/** The agent is already running a turn (HTTP 409). */
public class AgentBusyException extends AgentKernelException {
    public AgentBusyException(String message) { super(message); }
    public AgentBusyException(String message, Throwable cause) { super(message, cause); }
}
