package dev.agentkernel.runner.loop;

import dev.agentkernel.runner.model.Cancellation;
import dev.agentkernel.runner.model.ChatMessage;
import dev.agentkernel.runner.model.TurnCancelledException;
import dev.agentkernel.runner.model.Usage;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.runner.llm.LlmException;
import dev.agentkernel.runner.llm.LlmProvider;
import dev.agentkernel.runner.llm.ModelRequest;
import dev.agentkernel.runner.llm.ModelResponse;
import dev.agentkernel.runner.llm.Providers;
import dev.agentkernel.runner.llm.StreamListener;
import dev.agentkernel.runner.model.ToolCall;
import dev.agentkernel.runner.tools.ToolRegistry;
import dev.agentkernel.runner.tools.ToolResult;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One agent turn: call the model, run the tools it asks for, feed the results back, repeat until it answers
 * without tools or the round limit is hit. Every message is in history before the turn's last event.
 */
public final class AgentLoop {
    private static final Logger LOG = Logger.getLogger(AgentLoop.class.getName());
    public static final String CANCELLED = "turn cancelled";

    private final Conversation conversation;
    private final Providers providers;
    private final ToolRegistry tools;
    private final String systemPrompt;
    private final int maxToolRounds;
    private final LoopObserver observer;

    public AgentLoop(Conversation conversation, Providers providers, ToolRegistry tools, String systemPrompt, int maxToolRounds) {
        this(conversation, providers, tools, systemPrompt, maxToolRounds, LoopObserver.NONE);
    }

    public AgentLoop(Conversation conversation, Providers providers, ToolRegistry tools, String systemPrompt, int maxToolRounds,
                     LoopObserver observer) {
        this.observer = observer;
        this.conversation = conversation;
        this.providers = providers;
        this.tools = tools;
        this.systemPrompt = systemPrompt;
        this.maxToolRounds = maxToolRounds;
    }

    /**
     * Runs a turn for {@code newMessages}. Text, thinking and tool events go to {@code sink} as they happen;
     * the terminal event (done or error) is returned, not emitted, so the caller can free the agent first.
     */
    public TurnEvent run(List<ChatMessage> newMessages, TurnSink sink, Cancellation cancellation) {
        LlmProvider provider;
        try {
            provider = providers.get();
        } catch (LlmException e) {
            // refused before anything was sent or stored: the conversation stays as it was
            return TurnEvent.error(e.getMessage());
        }
        // The model request needs the new messages in the history file, not on the disk: their fsync runs while the
        // request is on its way, and the turn waits for it before it goes past the model's answer (stores it, runs
        // tools, ends).
        CompletableFuture<Void> newMessagesDurable = conversation.appendSyncingInBackground(newMessages);
        StreamListener listener = new StreamListener() {
            @Override
            public void onText(String delta) {
                sink.emit(TurnEvent.text(delta));
            }

            @Override
            public void onThinking(String delta) {
                sink.emit(TurnEvent.thinking(delta));
            }
        };
        Usage usage = Usage.ZERO;
        List<ToolCall> pending = List.of();
        List<ToolResult> results = new ArrayList<>();
        try {
            for (int round = 0; ; round++) {
                cancellation.throwIfCancelled();
                ModelRequest request = new ModelRequest(systemPrompt, conversation.snapshot(), tools.specs());
                observer.beforeModel(request);
                ModelResponse response = provider.complete(request, listener, cancellation);
                awaitDurable(newMessagesDurable);
                observer.afterModel(response);
                usage = usage.plus(response.usage());
                if (!response.content().isEmpty()) {
                    conversation.append(new ChatMessage(ChatMessage.ASSISTANT, response.content()));
                }
                if (response.toolCalls().isEmpty()) {
                    return TurnEvent.done(response.stopReason(), usage);
                }
                pending = response.toolCalls();
                results = new ArrayList<>();
                if (round >= maxToolRounds) {
                    conversation.append(toolResults(pending, results, "not run: the turn hit max_tool_rounds"));
                    return TurnEvent.error("the turn hit the tool round limit (max_tool_rounds = " + maxToolRounds
                            + ") and was stopped: ask the agent to continue, or spawn it with a higher maxToolRounds");
                }
                for (ToolCall call : pending) {
                    cancellation.throwIfCancelled();
                    sink.emit(TurnEvent.toolUse(call.name(), call.id(), call.input()));
                    ToolResult result = observer.runTool(call, cancellation, c -> tools.run(c, cancellation));
                    results.add(result);
                    sink.emit(TurnEvent.toolResult(call.id(), result.output(), result.isError()));
                }
                conversation.append(toolResults(pending, results, null));
                pending = List.of();
            }
        } catch (Exception e) {
            // Exception, not RuntimeException: the SDKs (Kotlin) can throw an undeclared InterruptedException from
            // a retry's back-off sleep when a cancel interrupts it, and that must end the turn like any failure.
            Cancellation.clearInterrupt();
            awaitQuietly(newMessagesDurable);
            // the model's tool calls must each get a result, or the provider rejects the next request
            if (!pending.isEmpty()) {
                conversation.append(toolResults(pending, results,
                        cancellation.isCancelled() ? "not run: the turn was cancelled" : "not run: the turn failed"));
            }
            if (e instanceof TurnCancelledException || e instanceof InterruptedException || cancellation.isCancelled()) {
                return TurnEvent.error(CANCELLED);
            }
            if (e instanceof LlmException) {
                return TurnEvent.error(e.getMessage());
            }
            LOG.log(Level.WARNING, "turn failed", e);
            return TurnEvent.error("the runner failed during the turn: " + e + " (see runner.err)");
        }
    }

    private static void awaitDurable(CompletableFuture<Void> durable) {
        try {
            durable.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** Waits for the fsync of the turn's new messages when the turn failed anyway: its own failure is not reported. */
    private static void awaitQuietly(CompletableFuture<Void> durable) {
        try {
            durable.join();
        } catch (RuntimeException ignored) {
            // the turn's own error is the one to report
        }
    }

    /** A user message carrying one tool_result per call; calls without a result get {@code filler}. */
    private static ChatMessage toolResults(List<ToolCall> calls, List<ToolResult> results, String filler) {
        ArrayNode blocks = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < calls.size(); i++) {
            ToolResult r = i < results.size() ? results.get(i) : new ToolResult(filler, true);
            ObjectNode block = blocks.addObject();
            block.put("type", "tool_result");
            block.put("tool_use_id", calls.get(i).id());
            block.put("content", r.output());
            block.put("is_error", r.isError());
        }
        return new ChatMessage(ChatMessage.USER, blocks);
    }
}
