package dev.agentkernel;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * One ask: a turn with an agent run to its end on the calling thread, cancellable from any thread — what OkHttp's
 * {@code Call} is to a request. Every "ask" of the project runs through this one class (the kernel's
 * {@link AgentClient#ask}, the JShell/notebook helpers, the MCP server), so the rules and the messages exist once:
 * <ul>
 *   <li>the text of the text events is the answer (thinking and tool events go only to the listener);</li>
 *   <li>an error event raises {@link TurnFailedException} with the agent's message;</li>
 *   <li>a stream that ends without its done event raises {@link TurnFailedException} (the agent died mid-turn);</li>
 *   <li>{@link #cancel()}, or an interrupt of the calling thread, closes the stream, which cancels the turn at the
 *       agent, and raises {@link AskCancelledException}; the agent's conversation keeps what was said so far.</li>
 * </ul>
 * Create one with {@link AgentClient#newAsk(String, String, String)}; an {@code Ask} runs once.
 */
public final class Ask {
    private final AgentClient client;
    private final String agentId;
    private final String nonce;
    private final String message;
    private final String who;
    private volatile TurnStream stream;
    private volatile boolean cancelled;

    /**
     * Prefer {@link AgentClient#newAsk(String, String, String)}; a client implementation uses this to name the agent.
     *
     * @param client  the client whose {@link AgentClient#turn} runs the turn
     * @param agentId the agent's id
     * @param nonce   the agent's nonce from its {@link SpawnResult}
     * @param message the user message
     * @param who     how messages name the agent, e.g. {@code "'researcher' (agent-1a2b)"}; the id when null
     * @throws IllegalArgumentException when the id is null or blank
     * @throws NonceRejectedException   when the nonce is null or blank, naming what to pass
     */
    public Ask(AgentClient client, String agentId, String nonce, String message, String who) {
        this.client = Objects.requireNonNull(client, "client");
        if (agentId == null || agentId.isBlank()) {
            throw new IllegalArgumentException("agentId is " + (agentId == null ? "null" : "blank")
                    + ": pass the agent's id, e.g. result.agent().id()");
        }
        this.agentId = agentId;
        if (nonce == null || nonce.isBlank()) {
            throw new NonceRejectedException("nonce is " + (nonce == null ? "null" : "blank") + " for agent " + agentId
                    + ": pass the nonce from its SpawnResult, e.g. result.nonce()");
        }
        this.nonce = nonce;
        this.message = Objects.requireNonNull(message, "message is null: pass the text to send to the agent");
        this.who = who == null ? agentId : who;
    }

    /** The agent this ask talks to. */
    public String agentId() {
        return agentId;
    }

    /** Stops the turn: safe from any thread, before or during {@link #execute}; the agent is told to cancel. */
    public void cancel() {
        cancelled = true;
        TurnStream s = stream;
        if (s != null) s.close();
    }

    /** Whether {@link #cancel()} was called. */
    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * Runs the turn, handing every chunk to {@code onChunk} as it arrives.
     *
     * @return the assistant's text (text events only)
     * @throws TurnFailedException   on an error event, or when the stream ends without a done event
     * @throws AskCancelledException when cancelled, or when the calling thread is interrupted
     */
    public String execute(Consumer<TurnResponse> onChunk) {
        Objects.requireNonNull(onChunk, "onChunk is null: pass chunk -> {} to ignore the chunks");
        TurnText text = new TurnText();
        try {
            if (cancelled) throw cancelledException(null);
            TurnStream s = client.turn(TurnRequest.userMessage(agentId, nonce, message));
            stream = s;
            try (s) {
                if (cancelled) throw cancelledException(null);
                for (TurnResponse chunk : s) {
                    onChunk.accept(chunk);
                    if (chunk.isError()) throw new TurnFailedException("Agent " + who + " failed the turn: " + chunk.error());
                    text.accept(chunk);
                    if (chunk.done()) return text.text();
                }
            }
            // An interrupted thread (a notebook's stop) ends the iteration with its flag set; the flag becomes this
            // exception rather than staying set, or the caller's next blocking call would fail at once.
            if (cancelled || Thread.interrupted()) throw cancelledException(null);
            throw new TurnFailedException("The turn stream of agent " + who + " ended without a done event; "
                    + "the agent may have died. Check kernel.status() and its runner.err.");
        } catch (AskCancelledException e) {
            throw e;
        } catch (RuntimeException e) {
            // Closing the stream mid-read surfaces as an I/O error from the client; report it as what it was.
            if (cancelled) throw cancelledException(e);
            throw e;
        }
    }

    private AskCancelledException cancelledException(Throwable cause) {
        return new AskCancelledException("The turn with agent " + who + " was interrupted and cancelled "
                + "at the agent; its conversation keeps what was said so far. Ask again to continue.", cause);
    }
}
