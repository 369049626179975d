package dev.agentkernel.helpers;

/** The thread waiting in {@code await} was interrupted; the awaited future has been cancelled. */
public class AwaitInterruptedException extends RuntimeException {
    public AwaitInterruptedException(String message, Throwable cause) { super(message, cause); }
}
