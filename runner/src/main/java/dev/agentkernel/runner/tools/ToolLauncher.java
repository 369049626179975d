package dev.agentkernel.runner.tools;

import dev.agentkernel.runner.model.Cancellation;

import java.util.List;

/**
 * How a tool's command line becomes the process the runner starts: unchanged ({@link #DIRECT}), or inside a
 * nested sandbox ({@link ToolSandbox}), or not here at all but in the pod's tools container ({@link ToolChannel}).
 * Kept apart from the tools so they need not know where they run.
 */
@FunctionalInterface
public interface ToolLauncher {
    ToolLauncher DIRECT = command -> command;

    /** The command to start for {@code command} (e.g. {@code bash -c ...}). */
    List<String> command(List<String> command);

    /**
     * Runs {@code bash -c commandLine} to its result. By default here, through {@code local} (which starts
     * {@link #command(List)} as a process group); a launcher that hands the command to another process overrides this.
     *
     * @throws dev.agentkernel.runner.model.TurnCancelledException if the turn was cancelled while it ran
     */
    default ToolResult run(String commandLine, Cancellation cancellation, Local local) {
        return local.run(commandLine, cancellation);
    }

    /** Releases what the launcher holds (runner shutdown, after the tool killed its processes). */
    default void close() {}

    /** The tool's own way to run a command line as a local process. */
    @FunctionalInterface
    interface Local {
        ToolResult run(String commandLine, Cancellation cancellation);
    }
}
