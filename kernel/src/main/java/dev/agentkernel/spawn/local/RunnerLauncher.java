package dev.agentkernel.spawn.local;

import java.io.IOException;
import java.util.List;

/**
 * How {@link LocalBackend} turns a runner command into a running process. The local backend runs the
 * command as is ({@link #DIRECT}); the sandbox backend wraps it in bubblewrap. Everything else
 * (agent directory, config, health probe, kill, status, teams) is shared.
 */
public interface RunnerLauncher {

    /** Runs the runner command unchanged: the {@code local} backend. */
    RunnerLauncher DIRECT = new RunnerLauncher() {
        @Override
        public List<String> command(List<String> runnerCommand, AgentDir dir, boolean detached) { return runnerCommand; }

        @Override
        public String toString() { return "direct"; }
    };

    /**
     * The process command for {@code runnerCommand}, which runs the agent in {@code dir}.
     * A detached agent must be able to outlive the kernel. Throws
     * {@link dev.agentkernel.SpawnFailedException} when the launcher cannot work on this machine.
     */
    List<String> command(List<String> runnerCommand, AgentDir dir, boolean detached);

    /**
     * As {@link #command(List, AgentDir, boolean)} for a spawn that takes {@code resources} from its team; a launcher
     * that enforces limits (the sandbox backend) uses them.
     */
    default List<String> command(List<String> runnerCommand, AgentDir dir, boolean detached, dev.agentkernel.team.Resources resources) {
        return command(runnerCommand, dir, detached);
    }

    /**
     * Called right after the agent directory is made, before anything is put in its workspace (an image's bundles):
     * the sandbox backend mounts the workspace quota there. {@code requestedBytes} is the spawn's
     * {@code resources.workspace} (0: no quota), or -1 when it names none. Throws
     * {@link dev.agentkernel.SpawnFailedException} when a quota that was asked for cannot be enforced.
     */
    default void prepareWorkspace(AgentDir dir, long requestedBytes) {}

    /**
     * The agent is gone for good (killed, its spawn failed, the kernel closed; its processes are gone): undo
     * {@link #prepareWorkspace}. Never throws; the workspace's files stay where the launcher keeps them.
     */
    default void releaseWorkspace(AgentDir dir) {}

    /**
     * Called after the agent directory and its config are written, just before the runner starts (the sandbox
     * backend gives the runner's files to the user the sandbox drops to).
     */
    default void beforeStart(AgentDir dir) throws IOException {}

    /** Starts the prepared process; a launcher may pin this to a thread it owns. */
    default Process start(ProcessBuilder builder) throws IOException { return builder.start(); }

    /**
     * Whether the runner sees the kernel's pid. When false, the runner config carries no
     * {@code owner_pid}: in another pid namespace that number would name some other process.
     */
    default boolean runnerSeesKernelPid() { return true; }

    /**
     * Sets up the network of a new agent before its runner starts. {@code runnerConfig} is the config so far
     * (ports, provider, base_url); the result's fields are added to it. Throws {@link java.net.BindException}
     * when a host port the network needs is taken: the caller tries another port.
     */
    default AgentNetwork openNetwork(AgentDir dir, com.fasterxml.jackson.databind.node.ObjectNode runnerConfig)
            throws java.net.BindException {
        return AgentNetwork.SHARED;
    }

    /** The network of a running (detached) agent that another kernel spawned, when this kernel attaches to it. */
    default AgentNetwork reopenNetwork(AgentDir dir) { return AgentNetwork.SHARED; }

    /** Called once by {@link LocalBackend#close()} after its agents are stopped. */
    default void close() {}
}
