package dev.agentkernel.helpers;

import dev.agentkernel.TurnFailedException;

/** A turn was stopped by an interrupt (a cell interrupt, {@link Interrupts#interruptAll()}, or a cancelled future). */
public class TurnInterruptedException extends TurnFailedException {
    public TurnInterruptedException(String message) { super(message); }
    public TurnInterruptedException(String message, Throwable cause) { super(message, cause); }
}
