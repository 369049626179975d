package dev.agentkernel;

/** The agent answered 401: the nonce is not the one it was spawned with. */
public class NonceRejectedException extends AgentKernelException {
    public NonceRejectedException(String message) { super(message); }
    public NonceRejectedException(String message, Throwable cause) { super(message, cause); }
}
