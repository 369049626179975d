package dev.agentkernel;

/** A request the kernel refuses before doing anything: empty name, wrong spawn info type, malformed body. */
public class InvalidRequestException extends AgentKernelException {
    public InvalidRequestException(String message) { super(message); }
    public InvalidRequestException(String message, Throwable cause) { super(message, cause); }
}
