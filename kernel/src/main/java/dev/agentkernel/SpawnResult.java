package dev.agentkernel;

/** What {@code spawn} returns: the agent and its secret nonce, which every call to the agent needs. */
public record SpawnResult(Agent agent, String nonce) {
    /** Never print the nonce. */
    @Override
    public String toString() {
        return "SpawnResult[agent=" + agent + ", nonce=<redacted>]";
    }
}
