package dev.agentkernel.runner.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts commands in their own process group and kills whole groups. A group catches what
 * {@link ProcessHandle#descendants()} misses: background children that were re-parented once bash exited.
 */
public final class ProcessTrees {
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final boolean HAS_SETSID = Files.isExecutable(SETSID);

    private ProcessTrees() {}

    /** The command prefixed so that it leads a new session and process group (pgid = its pid). */
    public static List<String> inOwnGroup(List<String> command) {
        if (!HAS_SETSID) {
            return command;
        }
        var list = new java.util.ArrayList<String>(command.size() + 1);
        list.add(SETSID.toString());
        list.addAll(command);
        return list;
    }

    /** Kills the process, its process group (if it leads one) and any descendants still attached. */
    public static void kill(ProcessHandle process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        if (HAS_SETSID) {
            killGroup(process.pid());
        }
        process.destroyForcibly();
    }

    /** SIGKILL to every process of group {@code pgid}; a group with no members left is fine. */
    public static void killGroup(long pgid) {
        try {
            Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + pgid)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!kill.waitFor(5, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            // no kill binary: descendants() + destroyForcibly already did what Java can do
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
