package dev.agentkernel;

/** A kernel configuration (YAML or builder) is invalid; the message names the key. */
public class ConfigException extends AgentKernelException {
    public ConfigException(String message) { super(message); }
    public ConfigException(String message, Throwable cause) { super(message, cause); }
}
