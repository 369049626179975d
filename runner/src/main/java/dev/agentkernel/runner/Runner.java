package dev.agentkernel.runner;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.protocol.relay.RelaySockets;
import dev.agentkernel.runner.http.RunnerHttpServer;
import dev.agentkernel.runner.llm.ProviderSettings;
import dev.agentkernel.runner.llm.Providers;
import dev.agentkernel.runner.loop.AgentLoop;
import dev.agentkernel.runner.loop.Conversation;
import dev.agentkernel.runner.loop.HistoryStore;
import dev.agentkernel.runner.loop.TurnGate;
import dev.agentkernel.runner.net.RelayNetwork;
import dev.agentkernel.runner.tools.BashTool;
import dev.agentkernel.runner.tools.ToolEnvironment;
import dev.agentkernel.runner.tools.ToolRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** One agent: conversation, tools, provider and HTTP server wired together. {@link #close()} stops it all. */
public final class Runner implements AutoCloseable {
    /** Options tests and the launcher may tune; the defaults are what a spawned agent uses. */
    public record Options(int outputCapBytes, Duration keepAlive, int maxRetries) {
        public static final Options DEFAULT = new Options(BashTool.DEFAULT_OUTPUT_CAP, Protocol.SSE_KEEP_ALIVE,
                ProviderSettings.DEFAULT_MAX_RETRIES);
    }

    private final RunnerSettings settings;
    private final HistoryStore history;
    private final ToolRegistry tools;
    /** Where tool commands run; closed here too, as no tool may own it (a config without bash). */
    private final dev.agentkernel.runner.tools.ToolLauncher launcher;
    private final Providers providers;
    private final TurnGate gate = new TurnGate();
    private final RunnerHttpServer server;
    private final dev.agentkernel.runner.bus.BusService bus;
    private final RelayNetwork relay;
    private final Instant startedAt = Instant.now();
    private volatile boolean closed;

    /**
     * Creates the workspace, loads history and binds the port (not yet serving).
     *
     * @throws java.net.BindException when the port is taken
     */
    public Runner(RunnerSettings settings, Options options) throws IOException {
        this.settings = settings;
        // before any server exists: the JDK's HTTP server reads its connection limits once
        dev.agentkernel.runner.http.HttpLimits.applyToJdkServer(settings.http());
        Files.createDirectories(settings.workspace());
        Files.createDirectories(settings.stateDir());
        this.history = new HistoryStore(settings.stateDir());
        Conversation conversation;
        try {
            conversation = new Conversation(history);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(settings.bindAddress()), settings.httpPort());
        // before the tools and providers: they are set up with its proxy port
        this.relay = settings.relayDir() == null ? null : RelayNetwork.open(settings.relayDir());
        try {
            // the runner's own secrets (key, nonce) stay out of what the model's commands can read
            ToolEnvironment toolEnv = ToolEnvironment.of(System.getenv(), settings.userEnv(),
                    java.util.List.of(settings.nonce(), settings.apiKey()), relay == null ? Map.of() : relay.toolEnvironment());
            Duration bashTimeout = Duration.ofSeconds(settings.bashTimeoutSeconds());
            // Kubernetes: commands run in the pod's tools container, which has the workspace and none of our state;
            // the sandbox backend: in a nested sandbox that hides the state dir
            dev.agentkernel.runner.tools.ToolLauncher launcher = dev.agentkernel.runner.tools.ToolChannel.fromEnv(System.getenv(),
                    bashTimeout, options.outputCapBytes(), toolEnv);
            if (launcher == null) {
                launcher = dev.agentkernel.runner.tools.ToolSandbox.fromEnv(System.getenv(), settings.workspace(), settings.stateDir(),
                        settings.relayDir());
            }
            this.launcher = launcher;
            this.tools = ToolRegistry.create(settings.tools(), settings.workspace(), bashTimeout, options.outputCapBytes(), toolEnv,
                    launcher);
            this.providers = new Providers(settings.provider(), settings.model(), settings.apiKey(), settings.baseUrl(),
                    settings.thinkingLevel(), options.maxRetries(), relay == null ? hostProxy(settings) : relay.llmProxy(),
                    relay == null ? "the proxy (HTTPS_PROXY/HTTP_PROXY)" : "the kernel's egress proxy");
            // the bus binds first: a taken bus port must fail the spawn, not be retried like the HTTP port
            this.bus = settings.bus().enabled() ? dev.agentkernel.runner.bus.BusService.open(settings.bus(),
                    new dev.agentkernel.runner.bus.BusService.Host(
                            dev.agentkernel.runner.bus.BusService.busId(settings.name(), settings.agentId()),
                            settings.stateDir(), settings.workspace(), settings.model(), settings.bindAddress(),
                            settings.nonce()), providers) : null;
        } catch (IOException | RuntimeException e) {
            if (relay != null) relay.close();
            throw e;
        }
        AgentLoop loop = new AgentLoop(conversation, providers, tools, settings.systemPrompt(), settings.maxToolRounds(),
                bus == null ? dev.agentkernel.runner.loop.LoopObserver.NONE : bus.bus());
        try {
            this.server = new RunnerHttpServer(address, settings.nonce(), gate, loop, conversation, this::info, options.keepAlive(),
                    settings.http().maxTurnBodyBytes());
        } catch (IOException | RuntimeException e) {
            if (bus != null) bus.close();
            if (relay != null) relay.close();
            throw e;
        }
        if (relay != null) {
            // only now are the ports known (0 in the config means "any free one")
            try {
                relay.relayInbound(RelaySockets.HTTP, server.address());
                if (bus != null) relay.relayInbound(RelaySockets.BUS, bus.address());
            } catch (IOException | RuntimeException e) {
                relay.close();
                server.close();
                if (bus != null) bus.close();
                throw e;
            }
        }
    }

    /**
     * The corporate proxy for the LLM endpoint from {@code HTTPS_PROXY}/{@code HTTP_PROXY}/{@code NO_PROXY} (the
     * kernel forwards them), or null for a direct connection. In a sandbox's own network the relay's proxy is the
     * only way out instead, and the kernel chains that one to the corporate proxy.
     */
    static java.net.Proxy hostProxy(RunnerSettings settings) {
        String endpoint = settings.baseUrl() != null && !settings.baseUrl().isBlank() ? settings.baseUrl()
                : Protocol.defaultLlmEndpoint(settings.provider());
        java.net.Proxy proxy = dev.agentkernel.protocol.net.ProxyEnv.of(System.getenv()).proxyFor(java.net.URI.create(endpoint));
        return proxy.type() == java.net.Proxy.Type.DIRECT ? null : proxy;
    }

    public void start() {
        // Before /health answers. Measured with the bench against the peer (2026-12-05, same build, AOT cache, 2-core
        // box under load ~11, medians of 5; ratios to the peer in the same run): no warm-up (two runs): spawn → first
        // token 3206 / 3055 ms (1.02× / 0.71×), first turn's first token 2092 / 1700 ms (8.99× / 7.08×), ready 1131 /
        // 1553 ms; building the client on a thread after ready: 3132 ms (0.66×), 2206 ms (6.82×), 926 ms; building it
        // here, before ready: 2529 ms (0.52×), 732 ms (3.20×), 1750 ms. Idle RSS 86 → 95 MB, RSS after a turn
        // unchanged (~104 MB). The rehearsed turn (mode turn): its measurements are in runner/README.md.
        String mode = warmUpMode();
        warmedUp = mode.equals("off") || warmProvider(mode.equals("turn")) ? mode : "failed";
        serve();
    }

    /**
     * As {@link #start()} for an agent claimed from a standby ({@link Standby}) that rehearsed {@code rehearsedProvider}'s
     * whole turn in this JVM (null: its rehearsal failed). The SDK mapper is one per JVM, so for that provider only
     * the agent's client is left to build (a claim measured 37–53 ms this way against 76–125 ms when it rehearsed
     * again, 2-core box, 2026-12-06); another provider's path is rehearsed here as a cold runner would.
     */
    void startClaimed(String rehearsedProvider) {
        claimed = true;
        String mode = warmUpMode();
        if (mode.equals("turn") && rehearsedProvider != null && rehearsedProvider.equals(settings.provider())) {
            warmedUp = warmProvider(false) ? "turn" : "failed";
        } else {
            warmedUp = mode.equals("off") || warmProvider(mode.equals("turn")) ? mode : "failed";
        }
        serve();
    }

    private static String warmUpMode() {
        String mode = System.getProperty(Protocol.WARM_UP_PROPERTY, Protocol.WARM_UP_MODES.getFirst());
        if (!Protocol.WARM_UP_MODES.contains(mode)) {
            throw new IllegalArgumentException("-D" + Protocol.WARM_UP_PROPERTY + "=" + mode + ": use one of " + Protocol.WARM_UP_MODES);
        }
        return mode;
    }

    private void serve() {
        if (bus != null) bus.start();
        server.start();
        if (relay != null) relay.start();
    }

    /** What the warm-up did, for {@code /info} ({@link dev.agentkernel.protocol.Protocol#INFO_WARM_UP}). */
    private volatile String warmedUp = "off";
    private volatile boolean claimed;

    /** True once the warm-up's scripted turn went through (mode {@code turn}). */
    boolean rehearsed() {
        return warmedUp.equals("turn");
    }

    /** True once the LLM client is built (by the warm-up in {@link #start()}, or by the first turn). */
    boolean providerBuilt() {
        return providers.built();
    }

    /**
     * Builds the provider, then either builds one request without sending it or, with {@code rehearse}, runs it as one
     * scripted turn in this process; a bad key or URL is left for the first turn to report. False when either failed.
     */
    boolean warmProvider(boolean rehearse) {
        dev.agentkernel.runner.llm.ModelRequest sample = new dev.agentkernel.runner.llm.ModelRequest(settings.systemPrompt(),
                java.util.List.of(dev.agentkernel.runner.model.ChatMessage.userText("warm-up")), tools.specs());
        dev.agentkernel.runner.llm.LlmProvider provider;
        try {
            provider = providers.get();
        } catch (RuntimeException e) {
            return false; // a missing key or a bad base URL is reported by the first turn, as without the warm-up
        }
        if (!rehearse) {
            provider.warm(sample);
            return true;
        }
        try {
            providers.rehearse(sample);
            return true;
        } catch (RuntimeException e) {
            // the rehearsal only warms: the first turn is then as slow as without it, and still works
            System.err.println("agentkernel runner: the warm-up turn failed (" + e + "); the first turn will be slower");
            return false;
        }
    }

    /** The relay network when the config has {@code relay_dir}, else null. */
    public RelayNetwork relay() {
        return relay;
    }

    /** The bound AgentBus port, or -1 when the bus is off. */
    public int busPort() {
        return bus == null ? -1 : bus.port();
    }

    /** The bound port (differs from the config's when it asked for 0). */
    public int port() {
        return server.address().getPort();
    }

    public String url() {
        return "http://" + hostForUrl() + ":" + port();
    }

    private String hostForUrl() {
        String host = server.address().getAddress().getHostAddress();
        return host.contains(":") ? "[" + host + "]" : host;
    }

    public RunnerSettings settings() {
        return settings;
    }

    ObjectNode info() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("agent_id", settings.agentId());
        node.put("name", settings.name());
        node.put("agent_type", settings.agentType());
        node.put("pid", ProcessHandle.current().pid());
        node.put("cwd", Path.of("").toAbsolutePath().toString());
        node.put("uid", uid());
        node.put("started_at", startedAt.toString());
        node.put("model", settings.model());
        node.put("provider", settings.provider());
        node.put("thinking_level", settings.thinkingLevel());
        tools.names().forEach(node.putArray("tools")::add);
        node.put("workspace", settings.workspace().toString());
        node.put("busy", gate.running().isPresent());
        node.put("protocol_version", Protocol.VERSION);
        node.put(Protocol.INFO_CLASS_CACHE, ClassCacheInUse.used());
        node.put(Protocol.INFO_WARM_UP, warmedUp);
        node.put(Protocol.INFO_CLAIMED, claimed);
        node.put(Protocol.INFO_CLASS_CACHE_REQUESTED, ClassCacheInUse.requested());
        if (bus != null) {
            node.put("agentbus_port", bus.port());
            node.put("agentbus_id", bus.bus().log().busId());
        }
        if (relay != null) {
            node.put("relay_dir", relay.dir().toString());
            node.put("egress_port", relay.egressPort());
        }
        return node;
    }

    private static long uid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    /** Cancels the running turn, kills tool processes, stops serving; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        gate.cancelAndWait(Duration.ofSeconds(5));
        if (relay != null) relay.close();
        server.close();
        if (bus != null) bus.close();
        tools.close();
        launcher.close();
        providers.close();
        history.close();
    }
}
