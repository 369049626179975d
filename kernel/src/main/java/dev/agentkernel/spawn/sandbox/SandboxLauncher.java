package dev.agentkernel.spawn.sandbox;

import dev.agentkernel.protocol.RunnerConfig;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.config.SandboxLimits;
import dev.agentkernel.config.SandboxSettings;
import dev.agentkernel.team.Resources;
import dev.agentkernel.spawn.local.AgentDir;
import dev.agentkernel.spawn.local.AgentNetwork;
import dev.agentkernel.spawn.local.RunnerLauncher;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Starts runners under bubblewrap.
 *
 * <p>{@code --die-with-parent} is {@code PR_SET_PDEATHSIG}, which Linux ties to the <em>thread</em>
 * that started the process, not to the JVM. Spawns run on virtual threads whose carriers come and go,
 * so every sandbox is started from one platform thread that lives as long as the backend: the agents
 * die with the kernel (even on SIGKILL) and not before.
 */
public final class SandboxLauncher implements RunnerLauncher {
    private final Map<String, String> hostEnv;
    private final SandboxSettings sandbox;
    /** HTTPS_PROXY/HTTP_PROXY/NO_PROXY of the kernel's environment: the egress proxy chains to it (issue 16.8). */
    private final dev.agentkernel.protocol.net.ProxyEnv corporateProxy;
    /** Who the runner runs as when the kernel is root; null otherwise (see {@link SandboxUser}). */
    private final SandboxUser user = SandboxUser.forKernel();
    // A single-thread pool keeps its one worker until shutdown; a failing start ends in the future, not the worker.
    private final ExecutorService starter = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("agentkernel-sandbox-launcher").daemon(true).unstarted(r));

    /** Isolated network, LLM endpoint only. */
    public SandboxLauncher(Map<String, String> hostEnv) {
        this(hostEnv, SandboxSettings.defaults());
    }

    public SandboxLauncher(Map<String, String> hostEnv, SandboxSettings sandbox) {
        this.hostEnv = Map.copyOf(hostEnv);
        this.corporateProxy = dev.agentkernel.spawn.HostProxy.of(this.hostEnv);
        this.sandbox = sandbox == null ? SandboxSettings.defaults() : sandbox;
        // A bad allow entry is a config error, reported when the kernel is built rather than at the first spawn.
        if (this.sandbox.isolated()) dev.agentkernel.spawn.sandbox.net.EgressAllowList.of(this.sandbox.allow());
    }

    @Override
    public List<String> command(List<String> runnerCommand, AgentDir dir, boolean detached) {
        return command(runnerCommand, dir, detached, Resources.AGENT_DEFAULT);
    }

    /**
     * The bwrap command, joined to the agent's cgroup first when limits are on (docs/sandbox.md, "Limits"): memory from
     * the spawn's resources or else {@code sandbox.limits.memory}, cpu from the spawn's resources (1 core unless it names
     * another), processes from {@code sandbox.limits.pids}. The cgroup itself is made in {@link #openNetwork}, just before
     * the runner starts, and removed with the agent's network.
     */
    @Override
    public List<String> command(List<String> runnerCommand, AgentDir dir, boolean detached, Resources resources) {
        Path bwrap = BwrapLocator.locate(hostEnv);
        SandboxLimits limits = sandbox.limits();
        List<String> command = BwrapCommand.of(bwrap, runnerCommand, dir, detached,
                new BwrapCommand.Options(sandbox.isolated() ? RelayDir.of(dir).dir() : null, user, limits.tmpBytes()));
        if (!limits.cgroups()) return command;
        Cgroup.Availability where = cgroups();
        String id = dir.path().getFileName().toString();
        long memory = resources.memoryBytes() > 0 ? resources.memoryBytes() : limits.memoryBytes();
        Limits wanted = new Limits(id, limits.pids(), memory, resources.milliCpu() > 0 ? resources.milliCpu() : 1000);
        if (where instanceof Cgroup.None) Cgroup.create(where, id, wanted.pids, wanted.memory, wanted.milliCpu); // throws, naming why
        // A spawn that retries on another port opens its network (and cgroup) again; entries go with their agent dirs.
        pending.keySet().removeIf(p -> !Files.isDirectory(p));
        pending.put(dir.path().toAbsolutePath().normalize(), wanted);
        return Cgroup.at(where, id).wrap(command);
    }

    private record Limits(String id, int pids, long memory, long milliCpu) {}

    /** Spawns whose command joins a cgroup that {@link #openNetwork} makes. */
    private final Map<Path, Limits> pending = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Cgroup.Availability cgroups;

    private Cgroup.Availability cgroups() {
        Cgroup.Availability a = cgroups;
        if (a == null) cgroups = a = Cgroup.detect();
        return a;
    }

    @Override
    public AgentNetwork openNetwork(AgentDir dir, ObjectNode runnerConfig) throws java.net.BindException {
        Limits wanted = pending.get(dir.path().toAbsolutePath().normalize());
        Cgroup cgroup = wanted == null ? null : Cgroup.create(cgroups(), wanted.id, wanted.pids, wanted.memory, wanted.milliCpu);
        AgentNetwork network;
        try {
            network = sandbox.isolated() ? SandboxRelayNetwork.open(dir, runnerConfig, sandbox.allow(), user, corporateProxy) : AgentNetwork.SHARED;
        } catch (java.net.BindException | RuntimeException e) {
            if (cgroup != null) cgroup.remove();
            throw e;
        }
        return cgroup == null ? network : new LimitedNetwork(network, cgroup, () -> {});
    }

    @Override
    public AgentNetwork reopenNetwork(AgentDir dir) {
        AgentNetwork network = sandbox.isolated() ? SandboxRelayNetwork.reopen(dir, sandbox.allow(), user, corporateProxy) : AgentNetwork.SHARED;
        if (!sandbox.limits().cgroups() || cgroups() instanceof Cgroup.None) return network;
        return new LimitedNetwork(network, Cgroup.existing(cgroups(), dir.path().getFileName().toString()), () -> {});
    }

    /** The agent's network plus its cgroup, which goes when the agent is gone for good. */
    private record LimitedNetwork(AgentNetwork inner, Cgroup cgroup, Runnable forget) implements AgentNetwork {
        @Override
        public void configure(RunnerConfig.Builder config) { inner.configure(config); }

        @Override
        public void close() { inner.close(); }

        @Override
        public void delete() {
            inner.delete();
            cgroup.remove();
            forget.run();
        }

        @Override
        public String toString() { return inner + " + " + cgroup; }
    }

    /** Why this machine cannot mount workspace quotas (null: it can); looked up at the first spawn. */
    private volatile String quotaUnavailable;
    private volatile boolean quotaChecked;
    private final java.util.concurrent.atomic.AtomicBoolean quotaNoticeGiven = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Mounts the workspace quota (docs/sandbox.md, "Limits"): the spawn's {@code resources.workspace}, else
     * {@code sandbox.limits.workspace}. Where it cannot be enforced, the default quota gives one notice in the log (per
     * kernel) and the spawn goes on; a quota asked for explicitly fails the spawn, naming why.
     */
    @Override
    public void prepareWorkspace(AgentDir dir, long requestedBytes) {
        if (!quotaChecked) {
            quotaUnavailable = WorkspaceQuota.unavailable();
            quotaChecked = true;
        }
        WorkspaceQuota.Plan plan = WorkspaceQuota.plan(sandbox.limits(), requestedBytes, quotaUnavailable);
        switch (plan) {
            case WorkspaceQuota.Skip skip -> { }
            case WorkspaceQuota.Notice notice -> notice(notice.message());
            case WorkspaceQuota.Mount mount -> {
                try {
                    WorkspaceQuota.mount(dir, mount.bytes());
                } catch (IOException e) {
                    boolean perSpawn = requestedBytes > 0;
                    if (perSpawn || sandbox.limits().workspaceRequired()) throw WorkspaceQuota.cannot(mount.bytes(), e.getMessage(), perSpawn);
                    notice(WorkspaceQuota.plan(sandbox.limits(), requestedBytes, "mounting it failed (" + e.getMessage() + ")") instanceof WorkspaceQuota.Notice n
                            ? n.message() : e.getMessage());
                }
            }
        }
    }

    private void notice(String message) {
        if (quotaNoticeGiven.compareAndSet(false, true)) {
            System.getLogger(SandboxLauncher.class.getName()).log(System.Logger.Level.WARNING, message);
        }
    }

    /** As if this machine could not mount workspace images, for {@code reason} (tests of the non-root behaviour as root). */
    SandboxLauncher withoutWorkspaceMounts(String reason) {
        quotaUnavailable = reason;
        quotaChecked = true;
        return this;
    }

    /** Whether this kernel has said that its default workspace quota is not enforced (at most once). */
    boolean quotaNoticeGiven() { return quotaNoticeGiven.get(); }

    /** Unmounts the workspace quota; the image (the agent's files) stays in the agent directory. */
    @Override
    public void releaseWorkspace(AgentDir dir) {
        dev.agentkernel.spawn.local.WorkspaceMounts.unmount(dir.workspace());
    }

    /**
     * A root kernel gives the runner what it must read or write to the sandbox user: the agent directory itself
     * (to enter it), its config, its logs and its workspace. The kernel's own files there stay root's, and the
     * directory is read-only inside, so owning it lets the runner change nothing else.
     */
    @Override
    public void beforeStart(AgentDir dir) throws IOException {
        if (user == null) return;
        user.own(dir.path());
        user.own(dir.configFile());
        user.own(dir.historyFile());
        user.own(dir.busLogFile());
        user.ownTree(dir.workspace());
    }


    public SandboxSettings settings() { return sandbox; }

    @Override
    public Process start(ProcessBuilder builder) throws IOException {
        CompletableFuture<Process> started;
        try {
            started = CompletableFuture.supplyAsync(() -> {
                try {
                    return builder.start();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, starter);
        } catch (RejectedExecutionException e) {
            throw new IOException("the sandbox backend is closed", e);
        }
        try {
            return started.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // Nobody will own the sandbox if it starts after we gave up on it.
            started.thenAccept(p -> p.toHandle().destroyForcibly());
            throw new InterruptedIOException("interrupted while starting the sandbox");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.io.UncheckedIOException u) throw u.getCause();
            throw new IOException(cause);
        }
    }

    /**
     * Pids inside the sandbox are not the kernel's, so the runner gets no {@code owner_pid}; --die-with-parent
     * (and the owner pipe on stdin, which bwrap passes through) do its job.
     */
    @Override
    public boolean runnerSeesKernelPid() { return false; }

    @Override
    public void close() { starter.shutdown(); }

    @Override
    public String toString() { return "bubblewrap, network " + sandbox.network().yamlName(); }
}
