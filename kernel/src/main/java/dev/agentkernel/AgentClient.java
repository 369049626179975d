package dev.agentkernel;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** Talks to agents over the turn protocol. Knows each agent's nonce from its spawn, in memory only. */
public interface AgentClient {

    /** Starts a turn; the stream ends with exactly one chunk that is done or carries an error. */
    TurnStream turn(TurnRequest request);

    /** The last {@code lastN} messages, oldest first; {@code lastN <= 0} means all. */
    CompletableFuture<List<HistoryEntry>> getHistory(String agentId, int lastN);

    default CompletableFuture<List<HistoryEntry>> getHistory(String agentId) {
        return getHistory(agentId, 0);
    }

    CompletableFuture<AgentInfo> getInfo(String agentId);

    /** Sends one user message and returns the full assistant text; an error chunk raises {@link TurnFailedException}. */
    default String ask(String agentId, String nonce, String message) {
        return ask(agentId, nonce, message, chunk -> {});
    }

    /** As {@link #ask(String, String, String)}, handing every chunk to {@code onChunk} as it arrives. */
    default String ask(String agentId, String nonce, String message, Consumer<TurnResponse> onChunk) {
        return newAsk(agentId, nonce, message).execute(onChunk);
    }

    /**
     * An ask not yet started, which another thread can {@link Ask#cancel() cancel}: the one implementation of "ask"
     * (its answer, its errors and its cancellation) behind every ask of the kernel and the helpers.
     */
    default Ask newAsk(String agentId, String nonce, String message) {
        return new Ask(this, agentId, nonce, message, null);
    }

    CompletableFuture<String> askAsync(String agentId, String nonce, String message);
}
