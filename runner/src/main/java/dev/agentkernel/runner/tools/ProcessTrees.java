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

    /**
     * Alive and not a zombie: a killed orphan stays in the process table until PID 1 reaps it, which some
     * containers do only every few seconds, and {@link ProcessHandle#isAlive()} counts it until then.
     */
    public static boolean running(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) return false;
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !Files.isDirectory(Path.of("/proc"));
        }
    }

    /**
     * Whether any live (non-zombie) process is still in group {@code pgid}: background jobs a command left
     * behind. Read from /proc, because such orphans are re-parented away from us and Java cannot see groups.
     * Without /proc it answers true, so the caller keeps the group to kill at shutdown.
     */
    public static boolean groupHasMembers(long pgid) {
        java.io.File[] entries = new java.io.File("/proc").listFiles((dir, name) -> !name.isEmpty() && Character.isDigit(name.charAt(0)));
        if (entries == null) return true;
        for (java.io.File entry : entries) {
            try {
                String stat = Files.readString(entry.toPath().resolve("stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // after "pid (comm) ": state ppid pgrp ...
                if (!fields[0].equals("Z") && Long.parseLong(fields[2]) == pgid) return true;
            } catch (IOException | RuntimeException e) {
                // the process ended while we looked
            }
        }
        return false;
    }

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
