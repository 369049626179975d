package dev.agentkernel.runner.model;

/** Thrown inside a turn once {@code /cancel} (or a vanished client, or shutdown) asked it to stop. */
public final class TurnCancelledException extends RuntimeException {
    public TurnCancelledException() {
        super("turn cancelled", null, false, false);
    }
}
