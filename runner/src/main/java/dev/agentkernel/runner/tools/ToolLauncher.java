package dev.agentkernel.runner.tools;

import java.util.List;

/**
 * How a tool's command line becomes the process the runner starts: unchanged ({@link #DIRECT}), or inside a
 * nested sandbox ({@link ToolSandbox}). Kept apart from the tools so they need not know where they run.
 */
@FunctionalInterface
public interface ToolLauncher {
    ToolLauncher DIRECT = command -> command;

    /** The command to start for {@code command} (e.g. {@code bash -c ...}). */
    List<String> command(List<String> command);
}
