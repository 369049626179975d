package dev.agentkernel.config;

import dev.agentkernel.ConfigException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code sandbox} backend's network (docs/sandbox.md). {@code ISOLATED}, the default: each agent has
 * its own network namespace; the kernel relays its HTTP (and AgentBus) port, and lets it reach its LLM
 * endpoint plus the {@code allow} list ({@code host:port}, {@code *.domain:port}) through a proxy, nothing
 * else. {@code HOST}: the agent shares the host's network, as the {@code local} backend does.
 *
 * <pre>
 * sandbox:
 *   network: isolated        # or: host
 *   allow: ["pypi.org:443"]  # besides the LLM endpoint, which is always allowed
 * </pre>
 */
public record SandboxSettings(Network network, List<String> allow, SandboxLimits limits) {

    public enum Network {
        ISOLATED, HOST;

        /** {@code isolated} or {@code host}, any case. */
        public static Network parse(String value, String where) {
            String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "isolated" -> ISOLATED;
                case "host" -> HOST;
                default -> throw new ConfigException(where + ": network '" + value + "' is not known; use 'isolated' (the default:"
                        + " the agent reaches only its LLM endpoint and the allow list) or 'host' (the host's network, unrestricted)");
            };
        }

        public String yamlName() { return name().toLowerCase(Locale.ROOT); }
    }

    /** Default limits ({@link SandboxLimits#DEFAULTS}). */
    public SandboxSettings(Network network, List<String> allow) {
        this(network, allow, SandboxLimits.DEFAULTS);
    }

    public SandboxSettings {
        limits = limits == null ? SandboxLimits.DEFAULTS : limits;
        network = network == null ? Network.ISOLATED : network;
        allow = allow == null ? List.of() : List.copyOf(allow);
        if (network == Network.HOST && !allow.isEmpty()) {
            throw new ConfigException("sandbox: 'allow' " + allow + " has no effect with network 'host' (the agent may reach"
                    + " anything the host can); drop it, or use network 'isolated'");
        }
    }

    /** Isolated network, LLM endpoint only. */
    public static SandboxSettings defaults() { return new SandboxSettings(Network.ISOLATED, List.of()); }

    /** Isolated network; the agent may also reach these {@code host:port} entries. */
    public static SandboxSettings isolated(String... allow) { return new SandboxSettings(Network.ISOLATED, List.of(allow)); }

    /** The host's network, unrestricted (the sandbox still isolates files and processes). */
    public static SandboxSettings hostNetwork() { return new SandboxSettings(Network.HOST, List.of()); }

    /** These settings with more allowed {@code host:port} entries. */
    public SandboxSettings allow(String... more) {
        List<String> all = new ArrayList<>(allow);
        all.addAll(List.of(more));
        return new SandboxSettings(network, all, limits);
    }

    /** These settings with other limits. */
    public SandboxSettings limits(SandboxLimits limits) { return new SandboxSettings(network, allow, limits); }

    public boolean isolated() { return network == Network.ISOLATED; }
}
