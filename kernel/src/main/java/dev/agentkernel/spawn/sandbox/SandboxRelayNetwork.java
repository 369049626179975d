package dev.agentkernel.spawn.sandbox;

import dev.agentkernel.protocol.RunnerConfig;
import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.AgentUnreachableException;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.protocol.relay.RelaySockets;
import dev.agentkernel.spawn.local.AgentDir;
import dev.agentkernel.spawn.local.AgentNetwork;
import dev.agentkernel.spawn.sandbox.net.EgressAllowList;
import dev.agentkernel.spawn.sandbox.net.EgressProxy;
import dev.agentkernel.spawn.sandbox.net.PortRelay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An isolated agent's way in and out (docs/sandbox.md, "Network"). The runner lives in a network namespace
 * of its own; this kernel
 * <ul>
 *   <li>listens on the host's loopback at the agent's HTTP port (and AgentBus port) and relays each
 *       connection to the runner's {@code http.sock} ({@code bus.sock}), so clients keep using
 *       {@code http://127.0.0.1:<port>};</li>
 *   <li>answers the runner's {@code egress.sock} as an HTTP proxy that reaches only the LLM endpoint of
 *       the agent's config and the kernel's {@code sandbox.allow} list. Refusals are appended to the
 *       agent's {@code network.log}.</li>
 * </ul>
 */
final class SandboxRelayNetwork implements AgentNetwork {
    static final String DENIALS_LOG = "network.log";

    private final RelayDir dir;
    private final List<AutoCloseable> parts;

    private SandboxRelayNetwork(RelayDir dir, List<AutoCloseable> parts) {
        this.dir = dir;
        this.parts = parts;
    }

    /** Sets up the relays of the agent whose runner config is {@code config}, before the runner starts. */
    static SandboxRelayNetwork open(AgentDir agentDir, JsonNode config, List<String> allow) throws BindException {
        return open(agentDir, config, allow, null, true, dev.agentkernel.protocol.net.ProxyEnv.NONE);
    }

    /** As {@link #open(AgentDir, JsonNode, List)}; a non-null {@code user} (root kernel) gets the directory and the egress socket. */
    static SandboxRelayNetwork open(AgentDir agentDir, JsonNode config, List<String> allow, SandboxUser user) throws BindException {
        return open(agentDir, config, allow, user, true, dev.agentkernel.protocol.net.ProxyEnv.NONE);
    }

    /** As {@link #open(AgentDir, JsonNode, List, SandboxUser)}; the egress proxy reaches allowed hosts through {@code corporateProxy}. */
    static SandboxRelayNetwork open(AgentDir agentDir, JsonNode config, List<String> allow, SandboxUser user,
                             dev.agentkernel.protocol.net.ProxyEnv corporateProxy) throws BindException {
        return open(agentDir, config, allow, user, true, corporateProxy);
    }

    /** {@code fresh}: a new agent, whose relay directory may be removed again if this fails. */
    private static SandboxRelayNetwork open(AgentDir agentDir, JsonNode config, List<String> allow, SandboxUser user, boolean fresh,
                                     dev.agentkernel.protocol.net.ProxyEnv corporateProxy) throws BindException {
        EgressAllowList allowList = allowList(config, allow); // a bad base_url fails before anything exists
        RelayDir dir = RelayDir.of(agentDir).create();
        String label = config.path("name").asText("?") + " (" + agentDir.path().getFileName() + ")";
        List<AutoCloseable> parts = new ArrayList<>();
        try {
            parts.add(EgressProxy.open(dir.socket(RelaySockets.EGRESS), allowList, endpointPaths(config, allow), label,
                    denial -> logDenial(agentDir, denial), corporateProxy));
            if (user != null) {
                // The runner, as the sandbox user, creates its sockets in the directory and connects to egress.sock.
                user.own(dir.dir());
                user.own(dir.dir().resolve(RelaySockets.EGRESS));
            }
            parts.add(relay(config.path("http_port").asInt(), dir, RelaySockets.HTTP, "HTTP"));
            if (config.hasNonNull("agentbus_port")) {
                parts.add(relay(config.get("agentbus_port").asInt(), dir, RelaySockets.BUS, "AgentBus"));
            }
            return new SandboxRelayNetwork(dir, parts);
        } catch (BindException e) {
            closeAll(parts);
            // The caller retries on another port (and re-creates the directory); if it gives up, nothing is left.
            if (fresh) dir.delete();
            throw e;
        } catch (IOException e) {
            closeAll(parts);
            if (fresh) dir.delete();
            throw new UncheckedIOException("cannot set up the sandbox network in " + dir.dir() + ": " + e.getMessage(), e);
        }
    }

    /** The relays of a running detached agent, for a kernel that attaches to it; reads its config.json. */
    static SandboxRelayNetwork reopen(AgentDir agentDir, List<String> allow) {
        return reopen(agentDir, allow, null);
    }

    static SandboxRelayNetwork reopen(AgentDir agentDir, List<String> allow, SandboxUser user) {
        return reopen(agentDir, allow, user, dev.agentkernel.protocol.net.ProxyEnv.NONE);
    }

    static SandboxRelayNetwork reopen(AgentDir agentDir, List<String> allow, SandboxUser user, dev.agentkernel.protocol.net.ProxyEnv corporateProxy) {
        JsonNode config;
        try {
            config = Protocol.json().readTree(Files.readString(agentDir.configFile()));
        } catch (IOException e) {
            throw new AgentUnreachableException("cannot read " + agentDir.configFile() + " to relay to the sandboxed agent: "
                    + e.getMessage(), e);
        }
        try {
            return open(agentDir, config, allow, user, false, corporateProxy);
        } catch (BindException e) {
            throw new AgentUnreachableException("the sandboxed agent " + agentDir.path().getFileName() + " is reached through host port "
                    + config.path("http_port").asInt() + ", which something else has taken since (" + e.getMessage()
                    + "); stop that program, or kill the agent with `bin/agentkernel cleanup --all`", e);
        }
    }

    private static PortRelay relay(int port, RelayDir dir, String socket, String what) throws IOException {
        try {
            return PortRelay.open(port, dir.socket(socket));
        } catch (BindException e) {
            BindException named = new BindException(what + " port 127.0.0.1:" + port + " is taken");
            named.initCause(e);
            throw named;
        }
    }

    /** The LLM endpoint of the config (its base_url, or the provider's default), plus the kernel's list. */
    static EgressAllowList allowList(JsonNode config, List<String> allow) {
        String provider = config.path("provider").asText("anthropic");
        String baseUrl = config.hasNonNull("base_url") ? config.get("base_url").asText() : dev.agentkernel.protocol.Protocol.DEFAULT_LLM_ENDPOINTS.get(provider);
        List<String> entries = new ArrayList<>(allow);
        if (baseUrl != null && !baseUrl.isBlank()) {
            URI uri;
            try {
                uri = URI.create(baseUrl.trim());
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("base_url '" + baseUrl + "' is not a URL: " + e.getMessage(), e);
            }
            if (uri.getHost() == null) {
                throw new InvalidRequestException("base_url '" + baseUrl + "' names no host; write it like https://api.example.com/v1");
            }
            try {
                entries.add(EgressAllowList.forUrl(uri));
            } catch (dev.agentkernel.ConfigException e) {
                throw new InvalidRequestException("base_url '" + baseUrl + "' cannot be reached from the sandbox: " + e.getMessage(), e);
            }
        }
        return EgressAllowList.of(entries);
    }

    /**
     * The provider's API paths on the LLM endpoint (checked for plain http only: https is a tunnel). An endpoint the
     * kernel's own {@code sandbox.allow} names is open on every path, as the user asked.
     */
    static dev.agentkernel.spawn.sandbox.net.EndpointPaths endpointPaths(JsonNode config, List<String> allow) {
        String provider = config.path("provider").asText("anthropic");
        String baseUrl = config.hasNonNull("base_url") ? config.get("base_url").asText() : dev.agentkernel.protocol.Protocol.DEFAULT_LLM_ENDPOINTS.get(provider);
        if (baseUrl == null || baseUrl.isBlank()) return dev.agentkernel.spawn.sandbox.net.EndpointPaths.ANY;
        URI uri = URI.create(baseUrl.trim());
        String endpoint = EgressAllowList.forUrl(uri);
        if (EgressAllowList.of(allow).allows(uri.getHost(), Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1)))) {
            return dev.agentkernel.spawn.sandbox.net.EndpointPaths.ANY;
        }
        return dev.agentkernel.spawn.sandbox.net.EndpointPaths.forProvider(endpoint, provider, uri.getRawPath());
    }

    private static void logDenial(AgentDir agentDir, String denial) {
        try {
            // NOFOLLOW: the agent can write in its directory and must not make the kernel append to another file.
            try (var out = Files.newByteChannel(agentDir.path().resolve(DENIALS_LOG), java.util.Set.of(StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, java.nio.file.LinkOption.NOFOLLOW_LINKS),
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")))) {
                out.write(java.nio.ByteBuffer.wrap((Instant.now() + " denied " + denial + "\n").getBytes(StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            // The agent was told in the 403 itself; the log is a convenience.
        }
    }

    @Override
    public void configure(RunnerConfig.Builder config) { config.relayDir(RelaySockets.SANDBOX_DIR); }

    @Override
    public void close() { closeAll(parts); }

    @Override
    public void delete() {
        close();
        dir.delete();
    }

    private static void closeAll(List<AutoCloseable> parts) {
        for (AutoCloseable part : parts) {
            try {
                part.close();
            } catch (Exception ignored) {
                // Closing listeners: nothing useful to do with a failure.
            }
        }
    }

    @Override
    public String toString() { return "isolated(" + dir.dir() + ")"; }
}
