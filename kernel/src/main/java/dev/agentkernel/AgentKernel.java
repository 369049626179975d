package dev.agentkernel;

import dev.agentkernel.blob.LocalBlobStore;
import dev.agentkernel.client.HttpAgentClient;
import dev.agentkernel.packaging.LocalPackaging;
import dev.agentkernel.config.KernelConfig;
import dev.agentkernel.config.KernelConfigLoader;
import dev.agentkernel.spawn.Backend;
import dev.agentkernel.spawn.BackendContext;
import dev.agentkernel.spawn.BackendFactory;
import dev.agentkernel.spawn.NonceVault;
import dev.agentkernel.spawn.PluginRegistry;
import dev.agentkernel.spawn.local.LocalBackend;
import dev.agentkernel.spawn.local.LocalBackendSettings;
import dev.agentkernel.spawn.local.LocalStateDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * The entry point: wires a spawner (the backend), an agent client, a blob store and packaging.
 * The API after construction is the same for every backend.
 *
 * <p>A JVM shutdown hook kills this kernel's non-detached agents if the program exits without
 * {@link #close()}.
 */
public final class AgentKernel implements AutoCloseable {

    /** Local backend with the given plugins and default settings. */
    public static AgentKernel local(AgentTypePlugin... plugins) {
        return builder().backend("local").plugins(plugins).build();
    }

    /** Reads the seed's YAML config (backend, namespace, base_image, kubeconfig, registry_url, debug, ...). */
    public static AgentKernel fromConfig(String path, AgentTypePlugin... plugins) {
        return fromConfig(Path.of(path), plugins);
    }

    public static AgentKernel fromConfig(Path path, AgentTypePlugin... plugins) {
        return builder().config(path).plugins(plugins).build();
    }

    public static Builder builder() { return new Builder(); }

    /** Backends this class path can run: local plus every registered {@link BackendFactory}. */
    public static List<String> availableBackends() {
        List<String> names = new ArrayList<>(List.of(LocalBackend.NAME));
        for (ClassLoader loader : Builder.loaders()) {
            for (BackendFactory f : java.util.ServiceLoader.load(BackendFactory.class, loader)) {
                if (!names.contains(f.name())) names.add(f.name());
            }
        }
        return List.copyOf(names);
    }

    static final List<String> PLANNED_BACKENDS = List.of("kubernetes");
    /** How long the shutdown hook lets agents stop on TERM before it KILLs them. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(2);

    private final Backend backendImpl;
    private final HttpAgentClient client;
    /** The nonces of this kernel's agents: the one place the kernel reads them from after spawn or attach. */
    private final NonceVault vault;
    private final KernelConfig config;
    private final Path stateDir;
    private final ShutdownHooks.Registration shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean keepAgentDirs;

    private final BlobStore blobs;
    private final Packaging packaging;

    private AgentKernel(Backend backend, HttpAgentClient client, NonceVault vault, KernelConfig config, Path stateDir,
                        BlobStore blobs, Packaging packaging, boolean keepAgentDirs) {
        this.vault = vault;
        this.keepAgentDirs = keepAgentDirs;
        this.blobs = blobs;
        this.packaging = packaging;
        this.backendImpl = backend;
        this.client = client;
        this.config = config;
        this.stateDir = stateDir;
        // Agents are separate processes (or pods): without this they would outlive a JVM that exits without close().
        this.shutdownHook = ShutdownHooks.register("AgentKernel", () -> backend.stopAllNow(SHUTDOWN_GRACE));
    }

    public Spawner spawner() { return backendImpl; }

    public AgentClient agentClient() { return client; }

    /** Content-addressed bundles under {@code <stateDir>/blobs}. */
    public BlobStore blobStore() { return blobs; }

    /** Agent images under {@code <stateDir>/images}; spawn with {@code imageId(job.image().id())}. */
    public Packaging packaging() { return packaging; }

    /** Status of every agent this kernel knows, with liveness checked now. */
    public CompletableFuture<List<AgentStatus>> status() { return backendImpl.status(); }

    /** Kills every agent this kernel started (detached agents excepted). */
    public CompletableFuture<Void> cleanup() { return backendImpl.cleanup(); }

    /**
     * Re-attaches to an agent spawned with {@code detached(true)} by another kernel on the same state dir
     * (which may have exited): afterwards {@code ask}, {@code turn}, {@code getHistory}, {@code status} and
     * {@code spawner().kill(id)} work from this kernel. Like every detached agent it is left running by
     * {@link #cleanup()} and {@link #close()}; {@code spawner().kill(id)} stops it.
     *
     * @throws AgentNotFoundException no agent with that id is recorded in this kernel's state dir
     * @throws AgentUnreachableException its process is gone or does not answer
     * @throws NonceRejectedException the agent does not accept {@code nonce}
     * @throws InvalidRequestException the agent is not detached, or the id or nonce is malformed
     */
    public Agent attach(String agentId, String nonce) {
        if (!(backendImpl instanceof dev.agentkernel.spawn.Reattachable reattachable)) {
            throw new InvalidRequestException("the " + backend() + " backend cannot re-attach to agents; detached agents"
                    + " can be re-attached on the local and sandbox backends");
        }
        return reattachable.attach(agentId, nonce);
    }

    /** The backend's name: local, sandbox, kubernetes. */
    public String backend() { return backendImpl.name(); }

    /** Where this kernel keeps agent workspaces, records and blobs. */
    public Path stateDir() { return stateDir; }

    /**
     * The AgentBus of an agent this kernel spawned with {@code agentbus(...)}: read its log, follow it, vote.
     * For a pod, port-forward the bus port and use {@link dev.agentkernel.bus.AgentBusClient#connect} (docs/agentbus.md).
     */
    public dev.agentkernel.bus.AgentBusClient bus(String agentId) {
        backendImpl.endpoint(agentId); // unknown or killed agents fail here, with the backend's message
        Path dir = stateDir.resolve("agents").resolve(agentId);
        if (!java.nio.file.Files.isDirectory(dir)) {
            throw new InvalidRequestException("the " + backend() + " backend keeps no local agent directory for " + agentId
                    + ": port-forward the agent's bus port and use AgentBusClient.connect(url, busId, nonce)");
        }
        // The nonce from this kernel's vault, its one owner here; config.json only says where the bus listens.
        String nonce = vault.get(agentId).orElseThrow(() -> new InvalidRequestException("this kernel holds no nonce for agent "
                + agentId + ": attach to it first with kernel.attach(agentId, nonce)"));
        return dev.agentkernel.bus.AgentBusClient.forAgentDir(dir, nonce);
    }

    /** The parsed config (empty when the kernel was built without a file). */
    public KernelConfig config() { return config; }

    /** Convenience: {@code agentClient().ask(...)}. */
    public String ask(String agentId, String nonce, String message) {
        return agentClient().ask(agentId, nonce, message);
    }

    /**
     * A turn with an agent this kernel spawned (or attached), signed with the nonce the kernel keeps for it: for hosts
     * that know the agent's id but never held its {@link SpawnResult} (the MCP server's {@code ask_agent} reaching an
     * agent a cell spawned). The nonce stays inside the kernel; closing the stream cancels the turn at the agent.
     *
     * @throws AgentNotFoundException this kernel holds no nonce for {@code agentId} (killed, or spawned by another kernel)
     */
    public TurnStream turn(String agentId, String message) {
        return agentClient().turn(TurnRequest.userMessage(agentId, nonceOf(agentId), message));
    }

    /**
     * An {@link Ask} with an agent this kernel spawned (or attached), signed with the nonce the kernel keeps for it
     * (see {@link #turn(String, String)}): the whole answer, cancellable from another thread.
     *
     * @throws AgentNotFoundException this kernel holds no nonce for {@code agentId}
     */
    public Ask newAsk(String agentId, String message) {
        return agentClient().newAsk(agentId, nonceOf(agentId), message);
    }

    private String nonceOf(String agentId) {
        return vault.get(agentId).orElseThrow(() -> new AgentNotFoundException("this kernel holds no nonce for agent '"
                + agentId + "': it was killed, or spawned by another kernel (attach it there with kernel.attach(id, nonce))"));
    }

    /** Convenience: {@code agentClient().askAsync(...)}. */
    public CompletableFuture<String> askAsync(String agentId, String nonce, String message) {
        return agentClient().askAsync(agentId, nonce, message);
    }

    /**
     * Same as {@code cleanup().join()}, releases the kernel's threads and connections, and (local and sandbox
     * backends) deletes the directories of the agents this kernel stopped, history and logs included, unless the
     * kernel was built with {@link Builder#keepAgentDirs(boolean) keepAgentDirs(true)}. Detached agents keep running
     * and keep theirs.
     */
    @Override
    public void close() {
        close(keepAgentDirs);
    }

    /** As {@link #close()}, choosing now whether the stopped agents' directories (history, logs) stay on disk. */
    public void close(boolean keepAgentDirs) {
        if (!closed.compareAndSet(false, true)) return;
        try {
            cleanup().join();
        } finally {
            client.close();
            backendImpl.close(keepAgentDirs);
            shutdownHook.unregister();
        }
    }

    @Override
    public String toString() {
        return "AgentKernel[backend=" + backend() + ", stateDir=" + stateDir + ", agents=" + backendImpl.agents().size() + "]";
    }

    public static final class Builder {
        private String backend;
        private final List<AgentTypePlugin> plugins = new ArrayList<>();
        private Path stateDir;
        private Path config;
        private Duration spawnTimeout = Duration.ofSeconds(30);
        private Map<String, String> hostEnv;
        private boolean spawnTimeoutSet;
        private IntSupplier portSource;
        private dev.agentkernel.config.SandboxSettings sandbox;
        private boolean keepAgentDirs;
        private Integer warmPool;

        public Builder backend(String backend) { this.backend = backend; return this; }
        public Builder plugin(AgentTypePlugin plugin) { this.plugins.add(plugin); return this; }
        public Builder plugins(AgentTypePlugin... plugins) { this.plugins.addAll(List.of(plugins)); return this; }
        /** Default {@code $AGENTKERNEL_HOME} or {@code ~/.agentkernel}. */
        public Builder stateDir(Path stateDir) { this.stateDir = stateDir; return this; }
        /** A YAML config file (see {@link #fromConfig(Path, AgentTypePlugin...)}). */
        public Builder config(Path config) { this.config = config; return this; }
        /** How long spawn waits for {@code /health}; default 30 s. */
        public Builder spawnTimeout(Duration spawnTimeout) { this.spawnTimeout = spawnTimeout; this.spawnTimeoutSet = true; return this; }
        /** The environment forwarded to agents (LLM_API_KEY, OPENAI_API_KEY, OPENCLAW_RUNNER_BIN); default System.getenv(). */
        public Builder hostEnv(Map<String, String> hostEnv) { this.hostEnv = new LinkedHashMap<>(hostEnv); return this; }

        /**
         * Keep the directories ({@code <stateDir>/agents/<id>/}: history, logs, workspace) of the agents this kernel
         * stopped when it closes; default false: {@link AgentKernel#close()} removes them.
         */
        public Builder keepAgentDirs(boolean keep) { this.keepAgentDirs = keep; return this; }
        /**
         * Keeps {@code size} standby runners started ahead of their agents (local backend; overrides the config's
         * {@code warm_pool}). A spawn whose request they fit (no env, resources, image, AgentBus, not detached, the
         * pool's agent type and provider) claims one: a config file and one HTTP call instead of a JVM start. The pool
         * refills in the background, one runner at a time; each standby holds about a runner's idle memory.
         */
        public Builder warmPool(int size) { this.warmPool = size; return this; }

        /** Where local agents' HTTP ports come from (default: a free loopback port). For tests of the port retry. */
        public Builder portSource(IntSupplier portSource) { this.portSource = portSource; return this; }

        /**
         * The {@code sandbox} backend's network: {@code SandboxSettings.isolated("pypi.org:443")} (default: isolated,
         * LLM endpoint only) or {@code SandboxSettings.hostNetwork()}. Wins over the config file's {@code sandbox} key.
         */
        public Builder sandbox(dev.agentkernel.config.SandboxSettings sandbox) { this.sandbox = sandbox; return this; }

        /**
         * Builds the kernel. Explicit builder settings win over the config file; the config file wins
         * over the environment ({@code AGENTKERNEL_HOME}) and the defaults.
         */
        public AgentKernel build() {
            KernelConfig cfg = config == null ? KernelConfig.empty() : KernelConfigLoader.load(config);
            if (sandbox != null) cfg = cfg.withSandbox(sandbox);
            if (warmPool != null) cfg = cfg.withWarmPool(warmPool);
            int pool = cfg.warmPool() == null ? 0 : cfg.warmPool();
            if (pool < 0 || pool > dev.agentkernel.config.KernelConfigLoader.WARM_POOL_MAX) {
                throw new ConfigException("warmPool must be 0.." + dev.agentkernel.config.KernelConfigLoader.WARM_POOL_MAX
                        + " standby runners, got " + pool);
            }
            Map<String, String> env = hostEnv != null ? Map.copyOf(hostEnv) : System.getenv();
            String name = backend != null ? backend : cfg.backend() != null ? cfg.backend() : LocalBackend.NAME;
            String normalized = name.trim().toLowerCase(java.util.Locale.ROOT);
            BackendFactory factory = null;
            if (!normalized.equals(LocalBackend.NAME)) {
                factory = findFactory(normalized);
                if (factory == null && PLANNED_BACKENDS.contains(normalized)) {
                    throw new ConfigException("backend '" + name + "' is not available in this build yet; use backend \"local\""
                            + " (or put the module providing it, e.g. agentkernel-k8s for kubernetes, on the class path)");
                }
                if (factory == null) {
                    throw new ConfigException("unknown backend '" + name + "'; available: " + String.join(", ", availableBackends())
                            + " (planned: " + String.join(", ", PLANNED_BACKENDS) + ")");
                }
            }
            Path dir = stateDir != null ? stateDir : cfg.stateDir() != null ? cfg.stateDir() : LocalStateDir.defaultPath(env);
            Duration timeout = spawnTimeoutSet || cfg.spawnTimeoutSeconds() == null ? spawnTimeout : Duration.ofSeconds(cfg.spawnTimeoutSeconds());
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new ConfigException("spawnTimeout must be positive, got " + timeout);
            }
            PluginRegistry registry = new PluginRegistry(plugins);
            NonceVault vault = new NonceVault();
            Path abs = dir.toAbsolutePath();
            LocalBlobStore blobs = new LocalBlobStore(abs);
            LocalPackaging packaging = new LocalPackaging(abs, blobs);
            Backend backendImpl = factory != null
                    ? factory.create(new BackendContext(cfg, abs, registry, vault, env, timeout))
                    : new LocalBackend(new LocalBackendSettings(abs, env, timeout, null, portSource), registry, vault, packaging);
            if (pool > 0) {
                if (!(backendImpl instanceof LocalBackend local) || !local.supportsWarmPool()) {
                    backendImpl.close(false);
                    throw new ConfigException("warm_pool works with the local backend only (this kernel's is '" + backendImpl.name()
                            + "': its runners start in their own sandbox or pod per agent); remove warm_pool or use backend local");
                }
                local.startWarmPool(pool);
            }
            Packaging images = factory != null ? packagingFor(normalized, cfg, blobs, abs).orElse(packaging) : packaging;
            HttpAgentClient client = new HttpAgentClient(backendImpl, vault);
            startWarmUp(backendImpl, client);
            return new AgentKernel(backendImpl, client, vault, cfg, abs, blobs, images, keepAgentDirs);
        }

        /**
         * Builds the kernel's HTTP clients and JSON mapper on a daemon thread, so {@code build()} returns without them
         * and the first spawn starts its runner while they load ({@link dev.agentkernel.client.Prebuilt}). Measured on
         * the cold one-shot (fresh kernel JVM: build, spawn, ask, kill, exit; 2-core box, 2026-12-06): the runner was
         * started ~740 ms after {@code main}, ~480 ms of it building these and ~100 ms hashing the runner jar, all of
         * which the first spawn waited for. Now {@code build()} takes 144–212 instead of 421–454 ms, and a first spawn
         * 2 s after it reaches its first token in 1021–1257 instead of 1358–1597 ms (4 runs each, interleaved). The
         * one-shot itself gains less (~8 %): there the same work overlaps the runner's start on the same two cores.
         */
        private static void startWarmUp(Backend backend, HttpAgentClient client) {
            Thread.ofPlatform().daemon().name("agentkernel-warm-up").start(() -> {
                try {
                    if (backend instanceof LocalBackend local) local.warmUp();
                    client.warmUp();
                } catch (RuntimeException | LinkageError e) {
                    // a head start only: whoever needs the part builds it and reports what fails
                }
            });
        }

        /** A backend's own packaging (e.g. OCI images for kubernetes) from a registered PackagingFactory, if any. */
        private static java.util.Optional<Packaging> packagingFor(String backend, KernelConfig cfg, LocalBlobStore blobs, Path stateDir) {
            for (ClassLoader loader : loaders()) {
                for (dev.agentkernel.packaging.PackagingFactory f : java.util.ServiceLoader.load(dev.agentkernel.packaging.PackagingFactory.class, loader)) {
                    if (f.backend().equalsIgnoreCase(backend)) return java.util.Optional.of(f.create(cfg, blobs, stateDir));
                }
            }
            return java.util.Optional.empty();
        }

        /** The context loader sees modules added at run time (JShell, notebooks); ours covers plain class paths. */
        static List<ClassLoader> loaders() {
            List<ClassLoader> out = new ArrayList<>();
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            if (context != null) out.add(context);
            if (AgentKernel.class.getClassLoader() != context) out.add(AgentKernel.class.getClassLoader());
            return out;
        }

        /** Non-local backends come from modules that register a {@link BackendFactory} with ServiceLoader. */
        private static BackendFactory findFactory(String name) {
            for (ClassLoader loader : loaders()) {
                for (BackendFactory f : java.util.ServiceLoader.load(BackendFactory.class, loader)) {
                    if (f.name().equalsIgnoreCase(name)) return f;
                }
            }
            return null;
        }
    }
}
