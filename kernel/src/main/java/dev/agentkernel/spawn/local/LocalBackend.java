package dev.agentkernel.spawn.local;

import dev.agentkernel.spawn.HostProxy;
import dev.agentkernel.AgentBusConfig;
import dev.agentkernel.protocol.RunnerConfig;
import dev.agentkernel.Agent;
import dev.agentkernel.AgentKernelException;
import dev.agentkernel.AgentState;
import dev.agentkernel.AgentStatus;
import dev.agentkernel.AgentTypePlugin;
import dev.agentkernel.CreateTeamRequest;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.SpawnFailedException;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.Team;
import dev.agentkernel.TeamNotFoundException;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.packaging.LocalPackaging;
import dev.agentkernel.spawn.AgentEndpoint;
import dev.agentkernel.spawn.AgentNames;
import dev.agentkernel.spawn.AgentTable;
import dev.agentkernel.spawn.Backend;
import dev.agentkernel.spawn.NonceVault;
import dev.agentkernel.spawn.Nonces;
import dev.agentkernel.spawn.PluginRegistry;
import dev.agentkernel.team.Resources;

import java.io.File;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Runs each agent as a runner process on this machine, listening on a loopback port.
 *
 * <p>Kill keeps the agent's directory (its history and logs; until {@link #close(boolean)} without keep) but deletes {@code config.json}, the only
 * file holding the nonce and API key, so a stopped agent leaves no secret on disk. A failed spawn
 * leaves nothing at all: process, directory and team capacity are all given back.
 */
public final class LocalBackend extends dev.agentkernel.spawn.TabledBackend<LocalBackend.LocalAgent> implements dev.agentkernel.spawn.Reattachable {

    public static final String NAME = "local";
    static final int PORT_ATTEMPTS = 3;
    static final int STDERR_TAIL_LINES = 20;
    /** Environment a runner needs to work (find bash, write temp files); never secrets. */
    static final List<String> BASIC_ENV = List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER", "LOGNAME");
    /** Host variables forwarded to every agent, as in the seed. */
    static final List<String> FORWARDED_ENV = List.of("LLM_API_KEY");
    /** Forwarded only to agents whose provider is {@code openai}: no agent gets a key it does not use. */
    static final String OPENAI_KEY_ENV = "OPENAI_API_KEY";

    private final LocalBackendSettings settings;
    private final PluginRegistry plugins;
    private final NonceVault vault;
    private final HealthProbe health = new HealthProbe();
    private final StandbyClaims claims = new StandbyClaims();
    private final Path agentsDir;
    /** Guards {@link #closed} against a spawn registering its agent while the backend closes. */
    private final Object lifecycle = new Object();
    private boolean closed;

    /** A running agent: its record, process and port. The record is replaced, never mutated. */
    static final class LocalAgent extends AgentTable.Entry {
        final ProcessHandle process;
        /**
         * The runner as our child, null for a re-attached agent. Held so the write end of its stdin (the
         * owner pipe) stays reachable: if the Process were collected the pipe would close and the runner stop.
         */
        @SuppressWarnings("unused") final Process child;
        final int port;
        final AgentDir dir;
        final AgentRecord record;
        final AgentNetwork network;

        LocalAgent(Agent agent, Process child, ProcessHandle process, int port, AgentDir dir, AgentRecord record,
                   AgentNetwork network) {
            super(agent);
            this.child = child;
            this.process = process;
            this.port = port;
            this.dir = dir;
            this.record = record;
            this.network = network;
        }
    }

    private final LocalPackaging packaging;
    /** Standby runners a fitting spawn claims ({@code warm_pool}); null without one. */
    private volatile WarmPool pool;
    private volatile AgentTypePlugin poolPlugin;

    /** {@code packaging} may be null: then spawns with an image id are refused. */
    public LocalBackend(LocalBackendSettings settings, PluginRegistry plugins, NonceVault vault, LocalPackaging packaging) {
        super(new AgentTable<>(vault, id -> " (its history stays in "
                + (id == null ? agentsDir(settings) : agentsDir(settings).resolve(id)) + ")"));
        // A proxy URL no runner could use is refused when the kernel is built, not at the first spawn.
        HostProxy.of(settings.hostEnv());
        this.settings = settings;
        this.plugins = plugins;
        this.vault = vault;
        this.packaging = packaging;
        this.agentsDir = agentsDir(settings);
        // Workspace quotas a SIGKILLed kernel left mounted here (one read of /proc/self/mountinfo when there are none).
        new LocalStateDir(settings.stateDir()).releaseOrphanMounts();
        // Warm-pool standbys of a kernel that died (SIGKILL): their runners went with it, their directories did not.
        new LocalStateDir(settings.stateDir()).removeOrphanStandbys();
    }

    private static Path agentsDir(LocalBackendSettings settings) { return settings.stateDir().resolve("agents"); }

    @Override
    public String name() { return settings.backendName(); }

    public Path stateDir() { return settings.stateDir(); }

    /** The directory of an agent this backend started (running or stopped). */
    public AgentDir agentDir(String agentId) { return new AgentDir(agentsDir.resolve(agentId)); }

    /**
     * Does once, off the first spawn's path, what that spawn would otherwise do in a fresh JVM before its runner can
     * start: the JSON of a runner config and an agent record, the random source of ids and nonces, the health probe's
     * HTTP client. The kernel's warm-up thread calls it from {@code AgentKernel.build()}; a spawn that comes first
     * waits for the part under way instead of doing it twice. Writes nothing.
     */
    public void warmUp() {
        Agent sample = new Agent(UUID.randomUUID().toString(), "warm-up", null, "warm-up", AgentState.STARTING, Map.of(), null,
                Instant.now(), false);
        try {
            RunnerConfig.Builder config = RunnerConfig.builder(Map.of("model", "warm-up", "tools", List.of("bash")))
                    .agentId(sample.id()).nonce(Nonces.generate()).name(sample.name()).httpPort(1).userEnv(java.util.Set.of());
            config.toJson();
            configBytes(config);
            AgentDir.recordBytes(AgentRecord.starting(sample, 1));
        } catch (java.io.IOException | RuntimeException e) {
            // only a head start: the spawn does the same work and reports what fails there
        }
        health.warmUp();
    }

    // ---------------------------------------------------------------- spawn

    @Override
    public CompletableFuture<SpawnResult> spawn(SpawnRequest request) {
        return table.async(() -> doSpawn(request));
    }

    private SpawnResult doSpawn(SpawnRequest request) {
        if (request == null) throw new InvalidRequestException("SpawnRequest is null");
        AgentNames.validate(request.name());
        AgentTypePlugin plugin = plugins.forRequest(request);
        String imageId = request.imageId() == null || request.imageId().isBlank() ? null : request.imageId();
        if (imageId != null && (packaging == null || packaging.image(imageId).isEmpty())) {
            throw new InvalidRequestException("unknown image_id '" + imageId + "'; build one with "
                    + "kernel.packaging().createAgentImage(name, bundles) and pass job.image().id()");
        }
        Map<String, Object> asked = new LinkedHashMap<>(request.resources());
        long workspaceBytes = Resources.takeWorkspaceBytes(asked); // a quota for the launcher, not a team resource
        Resources resources = Resources.forAgent(asked);
        Map<String, Object> typeConfig = plugin.runnerConfig(request.spawnInfo(), settings.hostEnv());

        WarmPool.Standby standby = fitsPool(plugin, request, imageId, typeConfig) ? pool.take().orElse(null) : null;
        if (standby != null) {
            table.teamRegistry().reserve(request.teamId(), standby.id(), resources);
            try {
                return claim(standby, request, typeConfig);
            } catch (RuntimeException e) {
                // the standby is gone or refused: a cold runner does the spawn, as without a pool
                table.teamRegistry().release(request.teamId(), standby.id());
                discardStandby(standby);
                if (e instanceof AgentKernelException && !(e instanceof NotReady) && !(e instanceof SpawnFailedException)) throw e;
                java.util.logging.Logger.getLogger(LocalBackend.class.getName()).info("claiming a standby runner failed ("
                        + e.getMessage() + "); starting a cold one");
            }
        }
        String id = UUID.randomUUID().toString();
        table.teamRegistry().reserve(request.teamId(), id, resources);
        AgentDir dir = null;
        Process process = null;
        AgentNetwork network = null;
        try {
            dir = AgentDir.create(agentsDir, id);
            settings.launcher().prepareWorkspace(dir, workspaceBytes);
            dir.createRunnerLogs(request.agentbus() != null);
            if (imageId != null) packaging.installInto(imageId, dir.workspace());
            List<String> command = settings.launcher().command(plugin.command(dir.configFile(), settings.hostEnv()), dir, request.detached(),
                    resources);
            String nonce = Nonces.generate();
            Agent agent = new Agent(id, request.name(), request.teamId(), request.agentType(), AgentState.STARTING,
                    request.metadata(), request.imageId(), Instant.now(), request.detached());
            long deadline = System.nanoTime() + settings.spawnTimeout().toNanos();
            for (int attempt = 1; ; attempt++) {
                int port = settings.portSource().getAsInt();
                RunnerConfig.Builder config = runnerConfig(typeConfig, agent, nonce, port, dir, request);
                try {
                    network = settings.launcher().openNetwork(dir, config.toJson());
                } catch (java.net.BindException taken) {
                    if (attempt >= PORT_ATTEMPTS) {
                        throw new NotReady("the kernel found the agent's port taken " + PORT_ATTEMPTS + " times in a row ("
                                + taken.getMessage() + ")");
                    }
                    continue;
                }
                network.configure(config);
                dir.writeConfig(configBytes(config));
                // The CLI sees the agent from the start (no pid yet: nothing for it to signal).
                dir.writeRecord(AgentRecord.starting(agent, port));
                process = start(command, dir, agentEnv(settings.hostEnv(), request.env(), provider(typeConfig)), !request.detached());
                dir.writeRecord(AgentRecord.of(agent, process.toHandle(), port));
                HealthProbe.Outcome outcome = health.awaitReady(process, port, deadline);
                switch (outcome) {
                    case READY -> {
                        return register(agent, nonce, process, port, dir, network);
                    }
                    case PORT_IN_USE -> {
                        network.delete();
                        network = null;
                        if (attempt >= PORT_ATTEMPTS) {
                            throw new NotReady("the runner found its port taken " + PORT_ATTEMPTS + " times in a row");
                        }
                    }
                    case EXITED -> throw new NotReady("the runner exited with code " + process.exitValue() + " before it was ready");
                    case TIMED_OUT -> throw new NotReady("the runner did not answer " + Protocol.PATH_HEALTH + " within "
                            + settings.spawnTimeout().toSeconds() + " s (raise AgentKernel.builder().spawnTimeout(...) on a slow machine)");
                }
            }
        } catch (RuntimeException e) {
            List<String> tail = dir == null ? List.of() : dir.stderrTail(STDERR_TAIL_LINES);
            if (process != null) ProcessTreeKill.terminate(process.toHandle(), Duration.ZERO);
            if (network != null) network.delete();
            if (dir != null) {
                try {
                    settings.launcher().releaseWorkspace(dir);
                    dir.delete();
                } catch (RuntimeException ignored) {
                    // Best effort; the original error matters more.
                }
            }
            table.teamRegistry().release(request.teamId(), id);
            if (e instanceof NotReady) {
                throw new SpawnFailedException("spawning agent '" + request.name() + "' failed: " + e.getMessage()
                        + "; check the runner's stderr below", tail);
            }
            throw e;
        }
    }

    // ---------------------------------------------------------------- warm pool

    /** The provider a standby rehearses and whose environment it is started with: the agent types' default. */
    static final String POOL_PROVIDER = "anthropic";
    /** The standby file in a standby's directory (protocol: {@link Protocol#ENV_RUNNER_STANDBY}); 0600, holds its nonce. */
    static final String STANDBY_FILE = "standby.json";

    /** Whether {@code warm_pool} can work here: runners started directly (not in a per-agent sandbox). */
    public boolean supportsWarmPool() {
        return settings.launcher() == RunnerLauncher.DIRECT;
    }

    /** Starts filling a pool of {@code size} standby runners of the default agent type ({@code openclaw} when registered). */
    public synchronized void startWarmPool(int size) {
        if (pool != null || size <= 0) return;
        List<String> types = plugins.types();
        if (types.isEmpty()) return;
        poolPlugin = plugins.require(types.contains("openclaw") ? "openclaw" : types.getFirst());
        pool = new WarmPool(size, this::startStandby, this::discardStandby);
        pool.fill();
    }

    /** Standby runners ready to be claimed now (0 without a pool). */
    public int warmPoolReady() {
        WarmPool p = pool;
        return p == null ? 0 : p.readyCount();
    }

    /**
     * A standby fits a request that a cold spawn would start with the same command and environment: the pool's agent
     * type, no image, no AgentBus, no resources or workspace quota, not detached, and the same agent environment
     * (no request env; the provider's forwarded keys equal).
     */
    private boolean fitsPool(AgentTypePlugin plugin, SpawnRequest request, String imageId, Map<String, Object> typeConfig) {
        WarmPool p = pool;
        if (p == null || plugin != poolPlugin || imageId != null || request.agentbus() != null || request.detached()
                || !request.resources().isEmpty() || !request.env().isEmpty()) {
            return false;
        }
        return agentEnv(settings.hostEnv(), Map.of(), provider(typeConfig)).equals(agentEnv(settings.hostEnv(), Map.of(), POOL_PROVIDER));
    }

    /** Starts one standby runner and waits until it is warm and serving (the pool's thread). */
    private WarmPool.Standby startStandby() {
        String id = UUID.randomUUID().toString();
        AgentDir dir = AgentDir.create(agentsDir, id);
        Process process = null;
        try {
            settings.launcher().prepareWorkspace(dir, 0);
            dir.createRunnerLogs(false);
            List<String> command = settings.launcher().command(poolPlugin.command(dir.configFile(), settings.hostEnv()), dir, false,
                    Resources.forAgent(Map.of()));
            String nonce = Nonces.generate();
            int port = settings.portSource().getAsInt();
            Map<String, Object> file = new LinkedHashMap<>();
            file.put("http_port", port);
            file.put("bind_address", "127.0.0.1");
            file.put("nonce", nonce);
            file.put("provider", POOL_PROVIDER);
            if (settings.launcher().runnerSeesKernelPid()) {
                file.put("owner_pid", ProcessHandle.current().pid());
                ProcessHandle.current().info().startInstant().ifPresent(t -> file.put("owner_start_millis", t.toEpochMilli()));
            }
            file.put("owner_pipe", true);
            Path standbyFile = dir.path().resolve(STANDBY_FILE);
            dir.writeSecret(standbyFile, Protocol.json().writeValueAsBytes(file));
            Map<String, String> env = agentEnv(settings.hostEnv(), Map.of(), POOL_PROVIDER);
            Map<String, String> processEnv = new LinkedHashMap<>(env);
            processEnv.put(Protocol.ENV_RUNNER_STANDBY, standbyFile.toString());
            process = start(command, dir, processEnv, true);
            HealthProbe.Outcome outcome = health.awaitReady(process, port, System.nanoTime() + settings.spawnTimeout().toNanos());
            if (outcome != HealthProbe.Outcome.READY) {
                throw new SpawnFailedException("a standby runner did not get ready (" + outcome + ")", dir.stderrTail(STDERR_TAIL_LINES));
            }
            return new WarmPool.Standby(id, dir, nonce, port, process, env);
        } catch (RuntimeException | java.io.IOException e) {
            if (process != null) ProcessTreeKill.terminate(process.toHandle(), Duration.ZERO);
            settings.launcher().releaseWorkspace(dir);
            dir.delete();
            throw e instanceof RuntimeException r ? r : new java.io.UncheckedIOException((java.io.IOException) e);
        }
    }

    private void discardStandby(WarmPool.Standby standby) {
        try {
            ProcessTreeKill.terminate(standby.process().toHandle(), settings.killGrace());
        } finally {
            settings.launcher().releaseWorkspace(standby.dir());
            standby.dir().delete();
        }
    }

    /** Makes {@code standby} the requested agent: its config, its record, one claim call, then the usual health check. */
    private SpawnResult claim(WarmPool.Standby standby, SpawnRequest request, Map<String, Object> typeConfig) {
        Agent agent = new Agent(standby.id(), request.name(), request.teamId(), request.agentType(), AgentState.STARTING,
                request.metadata(), null, Instant.now(), false);
        long deadline = System.nanoTime() + settings.spawnTimeout().toNanos();
        int port = settings.portSource().getAsInt();
        RunnerConfig.Builder config = runnerConfig(typeConfig, agent, standby.nonce(), port, standby.dir(), request);
        AgentNetwork network;
        try {
            network = settings.launcher().openNetwork(standby.dir(), config.toJson());
        } catch (java.io.IOException e) {
            throw new NotReady("cannot open the claimed agent's network: " + e.getMessage());
        }
        network.configure(config);
        standby.dir().writeConfig(configBytes(config));
        standby.dir().writeRecord(AgentRecord.of(agent, standby.process().toHandle(), port));
        claims.claim(standby.port(), standby.nonce(), settings.spawnTimeout());
        try {
            // read at the standby's start; its nonce is the agent's now, and only config.json may hold that (kill deletes it)
            java.nio.file.Files.deleteIfExists(standby.dir().path().resolve(STANDBY_FILE));
        } catch (java.io.IOException e) {
            throw new NotReady("cannot remove the standby file: " + e.getMessage());
        }
        HealthProbe.Outcome outcome = health.awaitReady(standby.process(), port, deadline);
        if (outcome != HealthProbe.Outcome.READY) {
            network.delete();
            throw new NotReady("the claimed runner did not answer on its agent port (" + outcome + ")");
        }
        try {
            return register(agent, standby.nonce(), standby.process(), port, standby.dir(), network);
        } catch (RuntimeException e) {
            network.delete();
            throw e;
        }
    }

    /** Our own signal inside doSpawn, turned into a SpawnFailedException with the stderr tail. */
    private static final class NotReady extends RuntimeException {
        NotReady(String message) { super(message, null, false, false); }
    }

    private RunnerConfig.Builder runnerConfig(Map<String, Object> typeConfig, Agent agent, String nonce, int port, AgentDir dir,
                                              SpawnRequest request) {
        RunnerConfig.Builder config = RunnerConfig.builder(typeConfig)
                .agentId(agent.id())
                .nonce(nonce)
                .name(agent.name())
                .agentType(agent.agentType())
                .httpPort(port)
                .bindAddress("127.0.0.1")
                .workspace(dir.workspace().toAbsolutePath().toString())
                .stateDir(dir.path().toAbsolutePath().toString());
        // A detached agent outlives this kernel, so it must not watch this kernel's pid.
        if (!agent.detached() && settings.launcher().runnerSeesKernelPid()) {
            config.ownerPid(ProcessHandle.current().pid());
            ProcessHandle.current().info().startInstant().ifPresent(t -> config.ownerStartMillis(t.toEpochMilli()));
        }
        // The runner's stdin is a pipe whose write end only this JVM holds: when it dies for any reason
        // (kill -9, OOM, a Jupyter restart) the runner reads end-of-file and stops at once.
        if (!agent.detached()) config.ownerPipe(true);
        // what the user passed stays visible to the agent's tools; the runner's own secrets do not
        config.userEnv(request.env().keySet());
        Path bundles = dir.workspace().resolve("bundles");
        if (java.nio.file.Files.isDirectory(bundles)) {
            // The image's bundles, one directory per bundle label name (LocalPackaging.installInto).
            try (var dirs = java.nio.file.Files.list(bundles)) {
                config.bundles(dirs.sorted().map(b -> b.toAbsolutePath().toString()).toList());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot list " + bundles, e);
            }
        }
        AgentBusConfig bus = request.agentbus();
        if (bus != null) {
            int busPort = bus.port() == 0 ? LoopbackPorts.free() : bus.port();
            config.agentbus(busPort, bus.disableSafety(), bus.voters(), bus.policy(), bus.voteTimeout().toMillis(), bus.llmVoter());
        }
        return config;
    }

    private static byte[] configBytes(RunnerConfig.Builder config) {
        try {
            return config.toJsonBytes();
        } catch (Exception e) {
            throw new InvalidRequestException("the runner config cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    /** {@code ownerPipe}: keep the write end of the runner's stdin open for its lifetime (never written to). */
    private Process start(List<String> command, AgentDir dir, Map<String, String> agentEnv, boolean ownerPipe) {
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.workspace().toFile())
                .redirectInput(ownerPipe ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.outFile().toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.errFile().toFile()));
        Map<String, String> env = pb.environment();
        env.clear();
        env.putAll(agentEnv);
        try {
            settings.launcher().beforeStart(dir);
            return settings.launcher().start(pb);
        } catch (java.io.IOException e) {
            throw new SpawnFailedException("cannot start the runner (" + command.getFirst() + "): " + e.getMessage()
                    + "; check that it exists and is executable", e);
        }
    }

    /**
     * The agent's environment: basics from the host (taken from the real environment when the kernel's
     * host env lacks them, since they carry no secret), the proxy variables and {@code LLM_API_KEY} from the host env only,
     * {@code OPENAI_API_KEY} too when the agent's provider is openai, then the request's own variables. The runner
     * keeps its keys out of its tools' environment (runner {@code ToolEnvironment}) except what the request passed.
     */
    static Map<String, String> agentEnv(Map<String, String> hostEnv, Map<String, String> requestEnv, String provider) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String key : BASIC_ENV) {
            String v = hostEnv.getOrDefault(key, System.getenv(key));
            if (v != null) env.put(key, v);
        }
        // The corporate proxy as the kernel's environment names it: the runner's LLM client and its tools use it
        // (issue 16.8). Only from the kernel's hostEnv, like the key: a proxy URL may hold credentials.
        env.putAll(dev.agentkernel.protocol.net.ProxyEnv.variables(hostEnv));
        List<String> forwarded = "openai".equals(provider) ? List.of(FORWARDED_ENV.getFirst(), OPENAI_KEY_ENV) : FORWARDED_ENV;
        for (String key : forwarded) {
            String v = hostEnv.get(key);
            if (v != null) env.put(key, v);
        }
        env.putAll(requestEnv);
        return env;
    }

    /** The agent type's provider from its runner config, or null when the type does not name one. */
    private static String provider(Map<String, Object> typeConfig) {
        return typeConfig.get("provider") instanceof String p ? p.trim().toLowerCase(java.util.Locale.ROOT) : null;
    }

    private SpawnResult register(Agent starting, String nonce, Process process, int port, AgentDir dir, AgentNetwork network) {
        if (!starting.teamId().isEmpty() && table.teamRegistry().find(starting.teamId()).isEmpty()) {
            throw new TeamNotFoundException("team '" + starting.teamId() + "' was deleted while agent '" + starting.name() + "' was starting");
        }
        Agent agent = starting.withState(AgentState.RUNNING);
        AgentRecord record = AgentRecord.of(agent, process.toHandle(), port);
        dir.writeRecord(record);
        LocalAgent local = new LocalAgent(agent, process, process.toHandle(), port, dir, record, network);
        track(local, nonce);
        return new SpawnResult(agent, nonce);
    }

    /** Makes {@code local} one of this kernel's agents and reports it FAILED if its process dies on its own. */
    private void track(LocalAgent local, String nonce) {
        synchronized (lifecycle) {
            // An agent registered after close() would have no owner left to kill it.
            if (closed) throw new AgentKernelException("the kernel was closed while agent '" + local.agent().name() + "' was starting");
            table.register(local, nonce);
        }
        local.process.onExit().thenRun(() -> diedOnItsOwn(local));
    }

    /**
     * A runner that died on its own (crash, OOM, kill -9 from outside) is reported FAILED. Called when its exit
     * is reaped, and by {@link #status()} when it sees a zombie first, whichever comes first; acts once.
     */
    private void diedOnItsOwn(LocalAgent local) {
        if (table.get(local.id()) != local || !local.failIfRunning()) return;
        // Its tool processes were orphaned, not killed; stop them now rather than at kill().
        Thread.ofVirtual().start(() -> ProcessTreeKill.terminate(ProcessTreeKill.workingIn(local.dir.workspace()), Duration.ofSeconds(1)));
        // Nothing answers behind its relays any more: give the host ports back now.
        local.network.delete();
    }

    /**
     * Takes over a detached agent of this state dir (spawned by another kernel, maybe one that is gone).
     * Like every detached agent it survives {@link #cleanup()} and {@link #close()}; {@link #kill} stops it.
     */
    @Override
    public Agent attach(String agentId, String nonce) {
        LocalAgent known = table.get(agentId);
        if (known != null) {
            if (nonce == null || !nonce.equals(vault.get(agentId).orElse(null))) {
                throw new dev.agentkernel.NonceRejectedException("agent '" + known.agent().name() + "' (" + agentId
                        + ") rejected the nonce; pass the nonce from the SpawnResult that created it");
            }
            return known.agent();
        }
        DetachedAgentLookup.Found found = DetachedAgentLookup.find(agentsDir, agentId, nonce, settings.launcher()::reopenNetwork);
        AgentRecord record = found.record().withState(AgentState.RUNNING);
        Agent agent = record.toAgent();
        LocalAgent local = new LocalAgent(agent, null, found.runner(), record.port(), found.dir(), record, found.network());
        try {
            track(local, nonce);
        } catch (RuntimeException e) {
            found.network().close();
            throw e;
        }
        table.forgetStopped(agentId);
        return agent;
    }

    // ---------------------------------------------------------------- kill

    @Override
    public CompletableFuture<Void> kill(String agentId) {
        return table.kill(agentId, local -> {
            try {
                List<ProcessHandle> roots = new ArrayList<>();
                roots.add(local.process);
                roots.addAll(ProcessTreeKill.workingIn(local.dir.workspace()));
                ProcessTreeKill.terminate(roots, settings.killGrace());
            } finally {
                release(local);
            }
        });
    }

    /** After its processes are gone: its relays, its workspace quota, its secret; its record says STOPPED. */
    private void release(LocalAgent local) {
        local.network.delete();
        // Its processes are gone (terminated above): the workspace quota's mount can go; its files stay in the image.
        settings.launcher().releaseWorkspace(local.dir);
        local.dir.deleteConfig();
        local.dir.writeRecord(local.record.withState(AgentState.STOPPED));
    }

    // ---------------------------------------------------------------- queries (teams, agents(), agent(): TabledBackend)

    @Override
    public AgentEndpoint endpoint(String agentId) {
        LocalAgent a = table.require(agentId);
        return new AgentEndpoint(agentId, a.agent().name(), URI.create("http://127.0.0.1:" + a.port), () -> ProcessTreeKill.running(a.process));
    }

    /** The runner's pid (tests and the CLI use it to watch the process). */
    public Optional<Long> pid(String agentId) {
        LocalAgent a = table.get(agentId);
        return a == null ? Optional.empty() : Optional.of(a.process.pid());
    }

    @Override
    public CompletableFuture<List<AgentStatus>> status() {
        List<CompletableFuture<AgentStatus>> probes = table.entries().stream()
                .map(a -> table.async(() -> statusOf(a))).toList();
        return CompletableFuture.allOf(probes.toArray(CompletableFuture[]::new))
                .thenApply(v -> probes.stream().map(CompletableFuture::join).toList());
    }

    private AgentStatus statusOf(LocalAgent a) {
        boolean alive = ProcessTreeKill.running(a.process);
        if (!alive) diedOnItsOwn(a);
        boolean live = alive && health.isHealthy(a.port);
        Agent agent = a.agent();
        return new AgentStatus(agent.id(), agent.name(), agent.teamId(), agent.state(), live, null, alive, agent.detached());
    }

    // ---------------------------------------------------------------- shutdown

    @Override
    public CompletableFuture<Void> cleanup() { return table.cleanup(this::kill); }

    /**
     * For the JVM shutdown hook: stops every non-detached agent at once with a short grace, without
     * the executor (which may already be gone).
     */
    @Override
    public void stopAllNow(Duration grace) {
        List<LocalAgent> victims = new ArrayList<>();
        for (LocalAgent a : table.entries()) {
            if (!a.agent().detached() && table.remove(a)) victims.add(a);
        }
        if (victims.isEmpty()) return;
        List<ProcessHandle> roots = new ArrayList<>();
        for (LocalAgent a : victims) {
            roots.add(a.process);
            roots.addAll(ProcessTreeKill.workingIn(a.dir.workspace()));
        }
        ProcessTreeKill.terminate(roots, grace);
        for (LocalAgent a : victims) {
            try {
                release(a);
                table.markStopped(a);
            } catch (RuntimeException ignored) {
                // Shutting down: a record we cannot update is reaped later by LocalStateDir.
            }
        }
    }

    /** {@link #close(boolean) close(true)}: the stopped agents' directories stay. */
    @Override
    public void close() {
        close(true);
    }

    /**
     * Refuses new work, waits for spawns in flight (each fails or is registered first), then kills what is left.
     * Unless {@code keepAgentDirs}, the directories of the agents this kernel stopped (now or earlier, with their
     * history and logs) are deleted; detached agents still running keep theirs.
     */
    @Override
    public void close(boolean keepAgentDirs) {
        synchronized (lifecycle) {
            closed = true;
        }
        WarmPool p = pool;
        if (p != null) p.close();
        table.shutdown(settings.spawnTimeout().plusSeconds(5));
        stopAllNow(settings.killGrace());
        // Detached agents keep running; their relays end with this kernel until another one attaches.
        for (LocalAgent a : table.entries()) a.network.close();
        health.close();
        claims.close();
        settings.launcher().close();
        if (!keepAgentDirs) {
            for (Agent a : table.stoppedAgents()) {
                if (table.isRunning(a.id())) continue; // re-attached since: running again
                try {
                    agentDir(a.id()).delete();
                } catch (RuntimeException e) {
                    // a file a surviving process still writes; the rest is gone, and LocalStateDir reaps old records
                    java.util.logging.Logger.getLogger(LocalBackend.class.getName())
                            .warning("could not remove agent directory " + agentsDir.resolve(a.id()) + ": " + e.getMessage());
                }
            }
        }
    }
}
