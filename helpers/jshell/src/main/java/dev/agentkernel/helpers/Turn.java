package dev.agentkernel.helpers;

import dev.agentkernel.AgentClient;
import dev.agentkernel.TurnFailedException;
import dev.agentkernel.TurnRequest;
import dev.agentkernel.TurnResponse;
import dev.agentkernel.TurnStream;
import dev.agentkernel.TurnText;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * One turn with an agent, run on the calling thread: hands every chunk to a listener, collects the text,
 * and can be cancelled from any thread (an interrupt closes the stream, which cancels the turn at the agent).
 */
final class Turn {
    private final AgentClient client;
    private final String agentId;
    private final String nonce;
    private final String message;
    private final Consumer<TurnResponse> listener;
    private volatile TurnStream stream;
    private volatile boolean cancelled;

    Turn(AgentClient client, String agentId, String nonce, String message, Consumer<TurnResponse> listener) {
        this.client = Objects.requireNonNull(client, "client");
        this.agentId = requireText(agentId, "agentId", "the agent's id, e.g. result.agent().id()");
        this.nonce = requireText(nonce, "nonce", "the nonce from the SpawnResult, e.g. result.nonce()");
        this.message = Objects.requireNonNull(message, "message is null: pass the text to send to the agent");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Stops the turn; safe from any thread, before or during {@link #run()}. */
    void cancel() {
        cancelled = true;
        TurnStream s = stream;
        if (s != null) s.close();
    }

    /** The assistant's text (text events only, not thinking); an error chunk raises {@link TurnFailedException}. */
    String run() {
        AutoCloseable registration = Interrupts.register(this::cancel);
        TurnText text = new TurnText();
        try {
            if (cancelled) throw interrupted(null);
            TurnStream s = client.turn(TurnRequest.userMessage(agentId, nonce, message));
            stream = s;
            try (s) {
                if (cancelled) throw interrupted(null);
                for (TurnResponse chunk : s) {
                    listener.accept(chunk);
                    if (chunk.isError()) {
                        throw new TurnFailedException("Agent " + agentId + " failed the turn: " + chunk.error());
                    }
                    text.accept(chunk);
                    if (chunk.done()) return text.text();
                }
            }
            // An interrupted thread (a notebook's stop) ends the iteration with its flag set; the flag becomes this
            // exception rather than staying set, or the session's next blocking call would fail at once.
            if (cancelled || Thread.interrupted()) throw interrupted(null);
            throw new TurnFailedException("The turn stream of agent " + agentId + " ended without a done event; "
                    + "the agent may have died. Check kernel.status() and its runner.err.");
        } catch (TurnInterruptedException e) {
            throw e;
        } catch (Error e) {
            // Ctrl-C in bin/agentkernel jshell: JShell stops the snippet with an asynchronous ThreadDeath, and reports
            // nothing itself. The stream is closed (the turn cancelled at the agent) by the time it gets here.
            if (isStop(e)) {
                cancelled = true;
                Display.current().print("Interrupted: the turn with agent " + agentId + " was cancelled at the agent;"
                        + " its conversation keeps what was said so far. Ask again to continue.\n");
            }
            throw e;
        } catch (RuntimeException e) {
            // Closing the stream mid-read surfaces as an I/O error from the client; report it as what it was.
            if (cancelled) throw interrupted(e);
            throw e;
        } finally {
            close(registration);
        }
    }

    @SuppressWarnings("removal") // JShell's stop is still a ThreadDeath (RemoteExecutionControl.StopExecutionException)
    private static boolean isStop(Error e) {
        return e instanceof ThreadDeath;
    }

    private TurnInterruptedException interrupted(Throwable cause) {
        return new TurnInterruptedException("The turn with agent " + agentId + " was interrupted and cancelled "
                + "at the agent; its conversation keeps what was said so far. Ask again to continue.", cause);
    }

    private static void close(AutoCloseable registration) {
        try {
            registration.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String requireText(String value, String name, String hint) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is " + (value == null ? "null" : "blank") + ": pass " + hint);
        }
        return value;
    }
}
