package dev.agentkernel;

/** No team with that id exists. */
public class TeamNotFoundException extends AgentKernelException {
    public TeamNotFoundException(String message) { super(message); }
    public TeamNotFoundException(String message, Throwable cause) { super(message, cause); }
}
