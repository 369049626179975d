package dev.agentkernel.runner.http;

import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.protocol.RunnerConfig;

import java.time.Duration;
import java.util.logging.Logger;

/**
 * Limits of the runner's HTTP servers (the turn protocol and the AgentBus), so a runaway or hostile client cannot
 * exhaust the runner: open connections per server, how long a connection may sit idle, how long a request may take
 * to arrive (slow loris), and the largest {@code /turn} body.
 * <p>
 * The first three are enforced by the JDK's own server ({@code jdk.httpserver} documents the properties), which
 * reads them once per process when its first server is made: {@link #applyToJdkServer} must run before that, and a
 * second runner in the same JVM (tests) gets the first one's. A spawned runner is alone in its JVM.
 */
public record HttpLimits(int maxConnections, Duration idleTimeout, Duration requestTimeout, int maxTurnBodyBytes) {
    private static final Logger LOG = Logger.getLogger(HttpLimits.class.getName());

    public static final HttpLimits DEFAULT = new HttpLimits(RunnerConfig.DEFAULT_HTTP_MAX_CONNECTIONS,
            Protocol.HTTP_IDLE_TIMEOUT, Protocol.HTTP_REQUEST_TIMEOUT, RunnerConfig.DEFAULT_MAX_TURN_BODY_BYTES);

    private static HttpLimits applied;

    /**
     * Hands the connection limits to the JDK server. Idempotent; a later call with other values is logged and has no
     * effect (the JDK read them already).
     */
    public static synchronized void applyToJdkServer(HttpLimits limits) {
        if (applied != null) {
            if (!applied.sameConnectionLimits(limits)) {
                LOG.warning("HTTP connection limits " + limits + " ignored: this JVM's HTTP server already uses " + applied);
            }
            return;
        }
        applied = limits;
        System.setProperty("jdk.httpserver.maxConnections", String.valueOf(limits.maxConnections()));
        System.setProperty("sun.net.httpserver.idleInterval", String.valueOf(limits.idleTimeout().toSeconds()));
        System.setProperty("sun.net.httpserver.maxReqTime", String.valueOf(limits.requestTimeout().toSeconds()));
        // how often idle connections are looked for: the JDK's 10 s would let one outlive its timeout by that much
        long tick = Math.max(250, Math.min(1000, limits.idleTimeout().toMillis() / 4));
        System.setProperty("sun.net.httpserver.clockTick", String.valueOf(tick));
        System.setProperty("sun.net.httpserver.timerMillis", String.valueOf(tick));
    }

    private boolean sameConnectionLimits(HttpLimits other) {
        return maxConnections == other.maxConnections && idleTimeout.equals(other.idleTimeout)
                && requestTimeout.equals(other.requestTimeout);
    }

    /** What a client is told when its {@code /turn} body is over the limit: the limit and how to raise it. */
    public String turnBodyTooLarge(long length) {
        return turnBodyTooLarge(maxTurnBodyBytes, length);
    }

    /** As {@link #turnBodyTooLarge(long)} for the limit {@code maxTurnBodyBytes}; {@code length} -1 when unknown. */
    public static String turnBodyTooLarge(int maxTurnBodyBytes, long length) {
        return "the turn request body" + (length >= 0 ? " (" + length + " bytes)" : "") + " is over this agent's limit of "
                + maxTurnBodyBytes + " bytes (" + (maxTurnBodyBytes / (1024 * 1024)) + " MiB): send a shorter message, "
                + "put large content in a file in the agent's workspace and refer to it, or raise the runner config "
                + "max_turn_body_bytes (at most " + RunnerConfig.MAX_TURN_BODY_BYTES_CEILING + ")";
    }
}
