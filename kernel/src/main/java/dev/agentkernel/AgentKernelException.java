package dev.agentkernel;

/** Base of every error the kernel raises. Messages say what went wrong and what to do about it. */
public class AgentKernelException extends RuntimeException {
    public AgentKernelException(String message) { super(message); }
    public AgentKernelException(String message, Throwable cause) { super(message, cause); }
}
