package dev.agentkernel;

/** The agent id is unknown to this kernel, or the agent was killed. */
public class AgentNotFoundException extends AgentKernelException {
    public AgentNotFoundException(String message) { super(message); }
    public AgentNotFoundException(String message, Throwable cause) { super(message, cause); }
}
