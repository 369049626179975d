package dev.agentkernel.fakellm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides what the fake LLM answers to a conversation: an HTTP error or a {@link Reply}.
 * Holds the only state across requests: how often each {@code [[flaky]]} message has been seen.
 */
final class Script {
    static final int TOOL_RESULT_LIMIT = 2000;

    /** What to send back. */
    sealed interface Outcome permits Fail, Answer {}

    record Fail(ApiError error) implements Outcome {}

    record Answer(Reply reply) implements Outcome {}

    private final Map<String, AtomicInteger> flakySeen = new ConcurrentHashMap<>();
    /** Answers registered with {@link FakeLlmServer#whenAsked}: trigger text → exact answer, first registered wins. */
    private final List<Canned> canned = new java.util.concurrent.CopyOnWriteArrayList<>();

    record Canned(String trigger, String answer) {}

    void whenAsked(String trigger, String answer) {
        canned.add(new Canned(trigger, answer));
    }

    Outcome answer(ScriptedConversation conversation) throws BadRequestException {
        if (!conversation.endsWithToolResult() && conversation.latestUserText() != null) {
            for (Canned c : canned) {
                // Exactly the registered text, whatever it holds (code with "]]", Markdown, helpers blocks), which a
                // [[reply: ...]] directive cannot carry; directives in the message are not obeyed.
                if (conversation.latestUserText().contains(c.trigger())) {
                    return new Answer(new Reply(List.of(), Chunking.words(c.answer()), List.of(), 0));
                }
            }
        }
        Directives d = Directives.parse(conversation.latestUserText());
        if (d.errorStatus() != null) {
            return new Fail(new ApiError(d.errorStatus(), "scripted error " + d.errorStatus() + " ([[error: " + d.errorStatus() + "]])"));
        }
        if (d.flakyStatus() != null) {
            int seen = flakySeen.computeIfAbsent(conversation.latestUserText(), k -> new AtomicInteger()).incrementAndGet();
            if (seen <= d.flakyCount()) {
                return new Fail(new ApiError(d.flakyStatus(), "scripted flaky error " + d.flakyStatus()
                        + " (attempt " + seen + " of " + d.flakyCount() + " failing)"));
            }
        }
        List<String> thinking = d.think() && conversation.thinkingRequested()
                ? Chunking.words("The user wrote \"" + d.plainText() + "\", so I will answer it.")
                : List.of();
        return new Answer(new Reply(thinking, text(conversation, d), toolCalls(conversation, d), d.slowMillis()));
    }

    private static List<String> text(ScriptedConversation conversation, Directives d) {
        if (conversation.endsWithToolResult()) {
            String output = conversation.toolResultText();
            if (output.length() > TOOL_RESULT_LIMIT) {
                output = output.substring(0, TOOL_RESULT_LIMIT);
            }
            return Chunking.words("Tool result: " + output);
        }
        if (d.chunks() != null) {
            List<String> deltas = new ArrayList<>(d.chunks());
            for (int i = 1; i <= d.chunks(); i++) {
                deltas.add(i < d.chunks() ? "w" + i + " " : "w" + i);
            }
            return deltas;
        }
        if (d.reply() != null) {
            return Chunking.words(d.reply());
        }
        if (!d.bashCommands().isEmpty()) {
            return Chunking.words("Running: " + String.join("; ", d.bashCommands()));
        }
        return Chunking.words("Echo: " + d.plainText());
    }

    private static List<Reply.ToolCall> toolCalls(ScriptedConversation conversation, Directives d) {
        if (conversation.endsWithToolResult()) {
            return List.of(); // the tool already ran: end the turn
        }
        List<Reply.ToolCall> calls = new ArrayList<>();
        for (String command : d.bashCommands()) {
            calls.add(new Reply.ToolCall(conversation.bashToolName(), Json.object().put("command", command)));
        }
        return calls;
    }
}
