package dev.agentkernel.runner.model;

/** The runner's config file cannot be used; the message names the field and the fix. Leads to {@code EXIT_BAD_CONFIG}. */
public final class BadConfigException extends Exception {
    public BadConfigException(String message) {
        super(message);
    }

    public BadConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
