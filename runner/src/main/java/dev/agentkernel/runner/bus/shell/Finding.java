package dev.agentkernel.runner.bus.shell;

/**
 * What the gate concluded about a command: {@code BLOCK} (a rule rejects it) or {@code VOTE} (the rules cannot
 * judge it, e.g. it decodes data and runs it: another voter or a person must approve it, else it is refused).
 */
public record Finding(Kind kind, String rule, String reason) {
    public enum Kind { BLOCK, VOTE }

    public static Finding block(String rule, String reason) {
        return new Finding(Kind.BLOCK, rule, reason);
    }

    public static Finding vote(String reason) {
        return new Finding(Kind.VOTE, "needs-vote", reason);
    }

    /** "rule NAME: reason", as the audit log and the agent read it. */
    public String message() {
        return "rule " + rule + ": " + reason;
    }
}
