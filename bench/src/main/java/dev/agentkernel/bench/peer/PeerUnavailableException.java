package dev.agentkernel.bench.peer;

/** The peer cannot be installed or started here; the message says why and what to do. */
public final class PeerUnavailableException extends RuntimeException {
    public PeerUnavailableException(String message) {
        super(message);
    }

    public PeerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
