package dev.agentkernel.spawn.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.config.SandboxSettings;
import dev.agentkernel.spawn.local.AgentDir;
import dev.agentkernel.spawn.local.AgentNetwork;
import dev.agentkernel.spawn.local.RunnerLauncher;

import java.io.IOException;
import java.io.InterruptedIOException;
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
    // A single-thread pool keeps its one worker until shutdown; a failing start ends in the future, not the worker.
    private final ExecutorService starter = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("agentkernel-sandbox-launcher").daemon(true).unstarted(r));

    /** Isolated network, LLM endpoint only. */
    public SandboxLauncher(Map<String, String> hostEnv) {
        this(hostEnv, SandboxSettings.defaults());
    }

    public SandboxLauncher(Map<String, String> hostEnv, SandboxSettings sandbox) {
        this.hostEnv = Map.copyOf(hostEnv);
        this.sandbox = sandbox == null ? SandboxSettings.defaults() : sandbox;
        // A bad allow entry is a config error, reported when the kernel is built rather than at the first spawn.
        if (this.sandbox.isolated()) dev.agentkernel.spawn.sandbox.net.EgressAllowList.of(this.sandbox.allow());
    }

    @Override
    public List<String> command(List<String> runnerCommand, AgentDir dir, boolean detached) {
        Path bwrap = BwrapLocator.locate(hostEnv);
        return BwrapCommand.build(bwrap, runnerCommand, dir, detached, sandbox.isolated() ? RelayDir.of(dir).dir() : null);
    }

    @Override
    public AgentNetwork openNetwork(AgentDir dir, ObjectNode runnerConfig) throws java.net.BindException {
        return sandbox.isolated() ? RelayNetwork.open(dir, runnerConfig, sandbox.allow()) : AgentNetwork.SHARED;
    }

    @Override
    public AgentNetwork reopenNetwork(AgentDir dir) {
        return sandbox.isolated() ? RelayNetwork.reopen(dir, sandbox.allow()) : AgentNetwork.SHARED;
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
