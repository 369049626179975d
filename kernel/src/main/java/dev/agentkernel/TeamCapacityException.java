package dev.agentkernel;

/** Spawning would exceed the team's reserved resources. */
public class TeamCapacityException extends AgentKernelException {
    public TeamCapacityException(String message) { super(message); }
    public TeamCapacityException(String message, Throwable cause) { super(message, cause); }
}
