package dev.agentkernel.runner.bus;

import dev.agentkernel.protocol.RunnerConfig;
import dev.agentkernel.runner.model.BadConfigException;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The AgentBus part of the runner config, validated. {@code port == null} means the bus is off: no log, no gate.
 *
 * @param voters in the order they are asked: {@code rules}, {@code llm}, {@code external}
 */
public record BusSettings(Integer port, boolean disableSafety, List<String> voters, DecisionPolicy policy,
                          Duration voteTimeout) {
    public static final String RULES = "rules";
    public static final String LLM = "llm";
    public static final String EXTERNAL = "external";
    public static final List<String> KNOWN_VOTERS = List.of(RULES, LLM, EXTERNAL);
    public static final List<String> DEFAULT_VOTERS = List.of(RULES);
    public static final Duration DEFAULT_VOTE_TIMEOUT = Duration.ofSeconds(30);
    public static final BusSettings OFF = new BusSettings(null, false, DEFAULT_VOTERS, DecisionPolicy.FIRST_BOOLEAN_WINS,
            DEFAULT_VOTE_TIMEOUT);

    public BusSettings {
        voters = List.copyOf(voters);
    }

    public boolean enabled() {
        return port != null;
    }

    public static BusSettings resolve(RunnerConfig c) throws BadConfigException {
        Integer port = c.agentbusPort();
        if (port == null && c.agentbusUrl() != null && !c.agentbusUrl().isBlank()) {
            port = portOf(c.agentbusUrl());
        }
        if (port != null && (port < 0 || port > 65535)) {
            throw new BadConfigException("config agentbus_port " + port + " is out of range: use 0..65535 (0 = any free port)");
        }
        List<String> voters = new ArrayList<>();
        for (String v : c.agentbusVoters() == null ? DEFAULT_VOTERS : c.agentbusVoters()) {
            String name = v == null ? "" : v.trim().toLowerCase();
            if (!KNOWN_VOTERS.contains(name)) {
                throw new BadConfigException("config agentbus_voters lists unknown voter '" + v + "': known voters are " + KNOWN_VOTERS);
            }
            if (!voters.contains(name)) voters.add(name);
        }
        if (Boolean.TRUE.equals(c.agentbusLlmVoter()) && !voters.contains(LLM)) {
            voters.add(voters.contains(EXTERNAL) ? voters.indexOf(EXTERNAL) : voters.size(), LLM);
        }
        if (voters.isEmpty()) {
            throw new BadConfigException("config agentbus_voters is empty: list at least one of " + KNOWN_VOTERS
                    + ", or set disable_safety to run tools without a gate");
        }
        DecisionPolicy policy = DecisionPolicy.parse(c.agentbusPolicy());
        long timeoutMs = c.agentbusVoteTimeoutMs() == null ? DEFAULT_VOTE_TIMEOUT.toMillis() : c.agentbusVoteTimeoutMs();
        if (timeoutMs <= 0) {
            throw new BadConfigException("config agentbus_vote_timeout_ms is " + timeoutMs + ": use a positive number of milliseconds");
        }
        return new BusSettings(port, Boolean.TRUE.equals(c.disableSafety()), voters, policy, Duration.ofMillis(timeoutMs));
    }

    private static Integer portOf(String url) throws BadConfigException {
        try {
            int p = URI.create(url.trim()).getPort();
            if (p > 0) return p;
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new BadConfigException("config agentbus_url '" + url + "' has no port: write agentbus_port, or a URL like http://127.0.0.1:8095");
    }
}
