package dev.agentkernel.runner.loop;

import dev.agentkernel.runner.model.ChatMessage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The agent's conversation: the in-memory list the model sees, mirrored line by line into the history file. */
public final class Conversation {
    private final List<ChatMessage> messages = new ArrayList<>();
    private final HistoryStore store;

    /** Loads what a previous runner on the same state dir wrote, so a restarted agent resumes. */
    public Conversation(HistoryStore store) {
        this.store = store;
        messages.addAll(store.load());
        answerDanglingToolCalls();
    }

    /**
     * A runner killed while a tool ran leaves tool calls without results; the provider would reject every
     * later request, so they get an error result now.
     */
    private void answerDanglingToolCalls() {
        if (messages.isEmpty()) {
            return;
        }
        ChatMessage last = messages.get(messages.size() - 1);
        if (!ChatMessage.ASSISTANT.equals(last.role()) || !last.content().isArray()) {
            return;
        }
        ArrayNode results = JsonNodeFactory.instance.arrayNode();
        for (JsonNode block : last.content()) {
            if ("tool_use".equals(block.path("type").asText())) {
                ObjectNode r = results.addObject();
                r.put("type", "tool_result");
                r.put("tool_use_id", block.path("id").asText());
                r.put("content", "not run to the end: the agent's runner stopped while this tool call was pending");
                r.put("is_error", true);
            }
        }
        if (!results.isEmpty()) {
            append(new ChatMessage(ChatMessage.USER, results));
        }
    }

    public synchronized void append(ChatMessage message) {
        store.append(message);
        messages.add(message);
    }

    /**
     * Appends {@code added} with their history lines written but fsynced in the background; the future
     * completes when they are durable (see {@link HistoryStore#syncInBackground}).
     */
    public synchronized CompletableFuture<Void> appendSyncingInBackground(List<ChatMessage> added) {
        for (ChatMessage message : added) {
            store.appendUnsynced(message);
            messages.add(message);
        }
        return store.syncInBackground();
    }

    public synchronized List<ChatMessage> snapshot() {
        return List.copyOf(messages);
    }

    /** The last {@code n} messages, oldest first; {@code n < 0} means all. */
    public synchronized List<ChatMessage> last(int n) {
        if (n < 0 || n >= messages.size()) {
            return List.copyOf(messages);
        }
        return List.copyOf(messages.subList(messages.size() - n, messages.size()));
    }

    public synchronized int size() {
        return messages.size();
    }
}
