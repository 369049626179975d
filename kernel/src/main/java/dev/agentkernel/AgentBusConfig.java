package dev.agentkernel;

import dev.agentkernel.protocol.RunnerConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns on the AgentBus for an agent (docs/agentbus.md). {@code port(0)} picks a free port.
 *
 * @param voters      who judges each tool call, in order: {@code rules} (built in), {@code llm} (the agent's model),
 *                    {@code external} (votes posted over HTTP, e.g. {@code kernel.bus(id).vote(...)})
 * @param policy      {@code first_boolean_wins}, {@code unanimous} or {@code majority}
 * @param voteTimeout how long the gate waits for an external vote; a timeout counts as reject
 * @param llmVoter    adds the {@code llm} voter
 */
public record AgentBusConfig(int port, boolean disableSafety, List<String> voters, String policy, Duration voteTimeout,
                             boolean llmVoter) {
    public static final int DEFAULT_PORT = 8095;
    public static final List<String> KNOWN_VOTERS = List.of("rules", "llm", "external");
    public static final List<String> POLICIES = List.of("first_boolean_wins", "unanimous", "majority");
    public static final Duration DEFAULT_VOTE_TIMEOUT = Duration.ofSeconds(30);

    public AgentBusConfig {
        voters = List.copyOf(voters);
    }

    /** The seed's two fields; the gate uses the rule voter and {@code first_boolean_wins}. */
    public AgentBusConfig(int port, boolean disableSafety) {
        this(port, disableSafety, List.of("rules"), "first_boolean_wins", DEFAULT_VOTE_TIMEOUT, false);
    }

    public static Builder builder() { return new Builder(); }

    /** The runner config fields (protocol.md) for a bus on {@code busPort}; every backend writes the same ones. */
    public Map<String, Object> runnerConfigFields(int busPort) {
        return new LinkedHashMap<>(RunnerConfig.builder(Map.of())
                .agentbus(busPort, disableSafety, voters, policy, voteTimeout.toMillis(), llmVoter).fields());
    }

    public static final class Builder {
        private int port = DEFAULT_PORT;
        private boolean disableSafety = false;
        private List<String> voters = List.of("rules");
        private String policy = "first_boolean_wins";
        private Duration voteTimeout = DEFAULT_VOTE_TIMEOUT;
        private boolean llmVoter = false;

        public Builder port(int port) { this.port = port; return this; }
        public Builder disableSafety(boolean disableSafety) { this.disableSafety = disableSafety; return this; }
        /** e.g. {@code List.of("rules", "external")} to let a person approve each call that passes the rules. */
        public Builder voters(List<String> voters) { this.voters = voters; return this; }
        public Builder policy(String policy) { this.policy = policy; return this; }
        public Builder voteTimeout(Duration voteTimeout) { this.voteTimeout = voteTimeout; return this; }
        public Builder llmVoter(boolean llmVoter) { this.llmVoter = llmVoter; return this; }

        public AgentBusConfig build() {
            if (port < 0 || port > 65535) throw new InvalidRequestException("AgentBusConfig.port must be 0..65535 (0 picks a free port), got " + port);
            if (voters == null || voters.isEmpty()) {
                throw new InvalidRequestException("AgentBusConfig.voters is empty: list at least one of " + KNOWN_VOTERS
                        + ", or use disableSafety(true) to run tools without a gate");
            }
            for (String v : voters) {
                if (!KNOWN_VOTERS.contains(v)) {
                    throw new InvalidRequestException("AgentBusConfig.voters has unknown voter '" + v + "': use " + KNOWN_VOTERS);
                }
            }
            if (policy == null || !POLICIES.contains(policy)) {
                throw new InvalidRequestException("AgentBusConfig.policy '" + policy + "' is unknown: use one of " + POLICIES);
            }
            if (voteTimeout == null || voteTimeout.isNegative() || voteTimeout.isZero()) {
                throw new InvalidRequestException("AgentBusConfig.voteTimeout must be positive, got " + voteTimeout);
            }
            return new AgentBusConfig(port, disableSafety, voters, policy, voteTimeout, llmVoter);
        }
    }
}
