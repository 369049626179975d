package dev.agentkernel.runner.bus;

/** One voter's verdict on an intention, with the reason a person reads in the audit log. */
public record Vote(boolean approve, String voter, String reason) {
    public static Vote approve(String voter, String reason) {
        return new Vote(true, voter, reason);
    }

    public static Vote reject(String voter, String reason) {
        return new Vote(false, voter, reason);
    }
}
