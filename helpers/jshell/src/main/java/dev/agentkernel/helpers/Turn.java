package dev.agentkernel.helpers;

import dev.agentkernel.AgentClient;
import dev.agentkernel.Ask;
import dev.agentkernel.AskCancelledException;
import dev.agentkernel.TurnResponse;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * One turn of a session's {@code ask}/{@code stream}/{@code askAsync}: the kernel's {@link Ask} (the answer, the
 * errors, the cancellation: issue 16.2, "ask" exists once) plus what a session adds — the stop button and
 * {@link Interrupts#interruptAll()} reach it, a cancellation is a {@link TurnInterruptedException}, and JShell's
 * Ctrl-C prints one line.
 */
final class Turn {
    private final Ask ask;
    private final String agentId;
    private final Consumer<TurnResponse> listener;

    Turn(AgentClient client, String agentId, String nonce, String message, Consumer<TurnResponse> listener) {
        Objects.requireNonNull(client, "client");
        // A missing nonce in a session is an argument error, as a missing id is (Ask names both the same way); the
        // kernel's own API types it as NonceRejectedException.
        requireText(nonce, "nonce", "the nonce from the SpawnResult, e.g. result.nonce()");
        this.ask = client.newAsk(agentId, nonce, message);
        this.agentId = agentId;
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Stops the turn; safe from any thread, before or during {@link #run()}. */
    void cancel() {
        ask.cancel();
    }

    /** The assistant's text (text events only, not thinking); an error chunk raises {@code TurnFailedException}. */
    String run() {
        AutoCloseable registration = Interrupts.register(this::cancel);
        try {
            return ask.execute(listener);
        } catch (AskCancelledException e) {
            throw new TurnInterruptedException(e.getMessage(), e.getCause());
        } catch (Error e) {
            // Ctrl-C in bin/agentkernel jshell: JShell stops the snippet with an asynchronous ThreadDeath, and reports
            // nothing itself. The stream is closed (the turn cancelled at the agent) by the time it gets here.
            if (isStop(e)) {
                ask.cancel();
                Display.current().print("Interrupted: the turn with agent " + agentId + " was cancelled at the agent;"
                        + " its conversation keeps what was said so far. Ask again to continue.\n");
            }
            throw e;
        } finally {
            close(registration);
        }
    }

    @SuppressWarnings("removal") // JShell's stop is still a ThreadDeath (RemoteExecutionControl.StopExecutionException)
    private static boolean isStop(Error e) {
        return e instanceof ThreadDeath;
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
