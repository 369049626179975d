package dev.agentkernel.runner.bus;

import dev.agentkernel.protocol.BusLogEntry;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.runner.llm.ModelRequest;
import dev.agentkernel.runner.llm.ModelResponse;
import dev.agentkernel.runner.model.ToolCall;
import dev.agentkernel.runner.model.Cancellation;
import dev.agentkernel.runner.model.ChatMessage;
import dev.agentkernel.runner.loop.LoopObserver;
import dev.agentkernel.runner.model.TurnCancelledException;
import dev.agentkernel.runner.tools.ToolResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * One agent's bus: logs every model call and tool call, and (unless safety is disabled) holds each tool call
 * as an intention until the voters and the policy commit it. A refused call never reaches the tool; the model
 * gets an error result saying why, and the turn goes on.
 */
public final class AgentBus implements LoopObserver, AutoCloseable {
    static final String BLOCKED_PREFIX = "blocked by the AgentBus safety gate: ";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** What happened to an external vote. */
    public enum VoteOutcome { ACCEPTED, UNKNOWN_INTENTION, ALREADY_DECIDED, NOT_ACCEPTING }

    private final BusLog log;
    private final BusSettings settings;
    private final List<Voter> voters;
    private final String model;
    private final Map<String, CompletableFuture<Vote>> awaitingExternal = new ConcurrentHashMap<>();
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final Set<String> decided = ConcurrentHashMap.newKeySet();

    /** {@code voters}: the built-in voters by name ({@code rules}, {@code llm}); {@code external} needs none. */
    public AgentBus(BusLog log, BusSettings settings, Map<String, Voter> voters, String model) {
        this.log = log;
        this.settings = settings;
        this.model = model;
        this.voters = new ArrayList<>();
        for (String name : settings.voters()) {
            if (!name.equals(BusSettings.EXTERNAL)) {
                Voter v = voters.get(name);
                if (v == null) throw new IllegalArgumentException("no voter named " + name + " was given");
                this.voters.add(v);
            }
        }
        // intentions of an earlier run were decided (or died with it): votes for them are late, not unknown
        try {
            for (BusLogEntry e : log.read(0, Integer.MAX_VALUE, Duration.ZERO)) {
                if (e.type().equals(BusLogEntry.INTENTION)) decided.add(e.payload().path("intention_id").asText());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public BusLog log() {
        return log;
    }

    public BusSettings settings() {
        return settings;
    }

    @Override
    public void beforeModel(ModelRequest request) {
        ObjectNode p = NODES.objectNode();
        p.put("model", model);
        p.put("messages", request.messages().size());
        p.put("last_user_text", lastUserText(request.messages()));
        ArrayNode tools = p.putArray("tools");
        request.tools().forEach(t -> tools.add(t.name()));
        log.append(BusLogEntry.INFERENCE_INPUT, p);
    }

    private static String lastUserText(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            ChatMessage m = messages.get(i);
            if (m.role().equals(ChatMessage.USER)) {
                String text = m.text();
                if (!text.isEmpty()) return text;
            }
        }
        return "";
    }

    @Override
    public void afterModel(ModelResponse response) {
        ObjectNode p = NODES.objectNode();
        p.put("text", new ChatMessage(ChatMessage.ASSISTANT, response.content()).text());
        ArrayNode calls = p.putArray("tool_calls");
        for (ToolCall c : response.toolCalls()) {
            calls.addObject().put("id", c.id()).put("name", c.name()).set("input", c.input());
        }
        p.put("stop_reason", response.stopReason());
        p.putObject("usage").put("input_tokens", response.usage().inputTokens())
                .put("output_tokens", response.usage().outputTokens());
        log.append(BusLogEntry.INFERENCE_OUTPUT, p);
    }

    @Override
    public ToolResult runTool(ToolCall call, Cancellation cancellation, Function<ToolCall, ToolResult> runner) {
        String id = "int-" + log.size();
        boolean external = !settings.disableSafety() && settings.voters().contains(BusSettings.EXTERNAL);
        if (external) awaitingExternal.put(id, new CompletableFuture<>());
        pending.add(id);
        ObjectNode p = NODES.objectNode();
        p.put("intention_id", id);
        p.put("tool", call.name());
        p.put("tool_use_id", call.id());
        p.set("input", call.input());
        p.put("gated", !settings.disableSafety());
        log.append(BusLogEntry.INTENTION, p);
        String blockedReason;
        try {
            blockedReason = settings.disableSafety() ? null : gate(new Intention(id, call.name(), call.input()), external);
        } catch (TurnCancelledException e) {
            // close the intention in the log, so no reader waits for a decision that will never come
            decision(id, false, "the turn was cancelled while the intention waited for its votes");
            throw e;
        } finally {
            pending.remove(id);
            decided.add(id);
            awaitingExternal.remove(id);
        }
        if (blockedReason != null) {
            return new ToolResult(BLOCKED_PREFIX + blockedReason + ". The command was not run.", true);
        }
        ToolResult result = runner.apply(call);
        ObjectNode out = NODES.objectNode();
        out.put("intention_id", id);
        out.put("output", result.output());
        out.put("is_error", result.isError());
        log.append(BusLogEntry.ACTION_OUTPUT, out);
        return result;
    }

    /** Collects votes until the policy decides; returns null to commit or the reason to abort. */
    private String gate(Intention intention, boolean external) {
        List<Vote> votes = new ArrayList<>();
        List<Ballot.Defer> deferrals = new ArrayList<>();
        int remaining = voters.size() + (external ? 1 : 0);
        Optional<Boolean> decision = Optional.empty();
        for (Voter voter : voters) {
            Ballot ballot = voter.ballot(intention);
            remaining--;
            switch (ballot) {
                case Ballot.Cast c -> record(intention, c.vote(), votes);
                case Ballot.Defer d -> deferrals.add(d);
                case Ballot.Abstain a -> { }
            }
            decision = settings.policy().decide(votes, remaining);
            if (decision.isPresent()) break;
        }
        if (decision.isEmpty() && external) {
            record(intention, awaitExternal(intention), votes);
            decision = settings.policy().decide(votes, 0);
        }
        boolean commit = decision.orElse(true);
        boolean deferredUnanswered = commit && !deferrals.isEmpty() && votes.stream().noneMatch(Vote::approve);
        if (deferredUnanswered) commit = false; // a call that needs a vote is refused unless a voter approves it
        String reason;
        if (deferredUnanswered) {
            Ballot.Defer d = deferrals.getFirst();
            reason = d.voter() + " asked for a vote (" + d.reason() + ") and no voter approved it (a call that needs a vote is refused by default"
                    + (voters.size() == 1 && !external ? "; add the llm or external voter to have such calls judged" : "") + ")";
        } else if (commit) {
            reason = votes.isEmpty() ? "no voter objected"
                    : votes.stream().filter(Vote::approve).map(v -> v.voter() + " approved").findFirst().orElse("approved");
            if (!deferrals.isEmpty()) reason += " (" + deferrals.getFirst().voter() + " had asked for a vote: " + deferrals.getFirst().reason() + ")";
        } else {
            reason = votes.stream().filter(v -> !v.approve()).findFirst()
                    .map(v -> v.voter() + " rejected it (" + v.reason() + ")").orElse("the voters did not approve it");
        }
        decision(intention.id(), commit, reason);
        return commit ? null : reason;
    }

    private void decision(String intentionId, boolean commit, String reason) {
        ObjectNode d = NODES.objectNode();
        d.put("intention_id", intentionId);
        d.put("decision", commit ? "commit" : "abort");
        d.put("policy", settings.policy().wireName());
        d.put("reason", reason);
        log.append(BusLogEntry.DECISION, d);
    }

    private Vote awaitExternal(Intention intention) {
        CompletableFuture<Vote> future = awaitingExternal.get(intention.id());
        try {
            return future.get(settings.voteTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return Vote.reject(BusSettings.EXTERNAL, "no external vote within " + settings.voteTimeout().toMillis()
                    + " ms (a timeout counts as reject)");
        } catch (InterruptedException e) {
            // /cancel interrupts the turn's thread: the call is not run and the turn ends as cancelled
            throw new TurnCancelledException();
        } catch (ExecutionException e) {
            return Vote.reject(BusSettings.EXTERNAL, "the vote failed: " + e.getCause());
        }
    }

    private void record(Intention intention, Vote vote, List<Vote> votes) {
        votes.add(vote);
        ObjectNode p = NODES.objectNode();
        p.put("intention_id", intention.id());
        p.put("approve", vote.approve());
        p.put("voter", vote.voter());
        p.put("reason", vote.reason());
        log.append(BusLogEntry.VOTE, p);
    }

    /** An external vote (HTTP). Only the first one per intention counts. */
    public VoteOutcome vote(String intentionId, boolean approve, String voter, String reason) {
        CompletableFuture<Vote> future = awaitingExternal.get(intentionId);
        if (future != null) {
            String who = voter == null || voter.isBlank() ? BusSettings.EXTERNAL : BusSettings.EXTERNAL + ":" + voter.strip();
            return future.complete(new Vote(approve, who, reason == null || reason.isBlank() ? "(no reason given)" : reason))
                    ? VoteOutcome.ACCEPTED : VoteOutcome.ALREADY_DECIDED;
        }
        if (decided.contains(intentionId)) return VoteOutcome.ALREADY_DECIDED;
        if (pending.contains(intentionId)) return VoteOutcome.NOT_ACCEPTING;
        return VoteOutcome.UNKNOWN_INTENTION;
    }

    @Override
    public void close() {
        log.close();
    }
}
