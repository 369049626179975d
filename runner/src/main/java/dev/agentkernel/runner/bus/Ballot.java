package dev.agentkernel.runner.bus;

/**
 * A voter's answer to an intention: a vote, an abstention, or a deferral ("I cannot judge this; someone must
 * approve it"). A deferred intention commits only if another voter approves it: with no approving vote, the
 * call is refused. The wire knows nothing of deferrals: the reason shows in the decision entry.
 */
public sealed interface Ballot {
    record Cast(Vote vote) implements Ballot {}

    record Abstain() implements Ballot {}

    record Defer(String voter, String reason) implements Ballot {}

    Ballot ABSTAIN = new Abstain();
}
