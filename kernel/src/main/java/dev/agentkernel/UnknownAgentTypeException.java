package dev.agentkernel;

/** No plugin is registered for the requested agent type. */
public class UnknownAgentTypeException extends InvalidRequestException {
    public UnknownAgentTypeException(String message) { super(message); }
    public UnknownAgentTypeException(String message, Throwable cause) { super(message, cause); }
}
