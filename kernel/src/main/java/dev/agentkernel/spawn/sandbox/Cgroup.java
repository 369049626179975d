package dev.agentkernel.spawn.sandbox;

import dev.agentkernel.SpawnFailedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One sandbox's cgroup(s): pids, memory and cpu limits for the runner and everything its tools start
 * (docs/sandbox.md, "Limits"). cgroup v2 where the unified hierarchy has the three controllers and we may write
 * it; otherwise cgroup v1 where the pids, memory and cpu hierarchies are writable (root on these machines).
 *
 * <p>The sandbox joins it before bwrap starts: the command is prefixed with a shell that writes its own pid into each
 * {@code cgroup.procs} and then execs bwrap, so no process of the agent ever runs outside the limits.
 * {@link #remove()} deletes the directories once the processes are gone.
 */
public final class Cgroup {
    static final Path ROOT = Path.of("/sys/fs/cgroup");
    /** Our directory under each hierarchy; one subdirectory per agent id. */
    static final String PARENT = "agentkernel";
    static final long CPU_PERIOD_US = 100_000;

    private final List<Path> dirs;

    private Cgroup(List<Path> dirs) { this.dirs = List.copyOf(dirs); }

    /** The directories made for the agent (one for v2, one per controller for v1). */
    public List<Path> dirs() { return dirs; }

    /** Which cgroup version this machine lets us use, or why none. */
    public sealed interface Availability permits V1, V2, None {}
    public record V1(Path pids, Path memory, Path cpu) implements Availability {}
    public record V2(Path root) implements Availability {}
    public record None(String reason) implements Availability {}

    public static Availability detect() { return detect(ROOT); }

    static Availability detect(Path root) {
        Path controllers = root.resolve("cgroup.controllers");
        if (Files.isRegularFile(controllers)) {
            try {
                List<String> have = List.of(Files.readString(controllers).trim().split("\\s+"));
                if (have.containsAll(List.of("pids", "memory", "cpu")) && Files.isWritable(root.resolve("cgroup.subtree_control"))) {
                    return new V2(root);
                }
                return new None("cgroup v2 at " + root + " offers " + have + " and we may " + (Files.isWritable(root) ? "" : "not ")
                        + "write it; pids, memory and cpu must be delegated to this user");
            } catch (IOException e) {
                return new None("cannot read " + controllers + ": " + e.getMessage());
            }
        }
        Path pids = root.resolve("pids"), memory = root.resolve("memory"), cpu = root.resolve("cpu");
        List<String> missing = new ArrayList<>();
        for (Path p : List.of(pids, memory, cpu)) {
            if (!Files.isDirectory(p) || !Files.isWritable(p)) missing.add(p.toString());
        }
        if (missing.isEmpty()) return new V1(pids, memory, cpu);
        return new None("no writable cgroup v2 with pids, memory and cpu at " + root + ", and cgroup v1 hierarchies " + missing
                + " are missing or not writable by this user");
    }

    /**
     * Makes the agent's cgroup with these limits.
     *
     * @throws SpawnFailedException naming why and how to fix it when no cgroup can be made
     */
    public static Cgroup create(Availability where, String agentId, int pids, long memoryBytes, long milliCpu) {
        List<Path> made = new ArrayList<>();
        try {
            switch (where) {
                case None none -> throw new SpawnFailedException("cannot limit the sandboxed agent's processes, memory and cpu: "
                        + none.reason() + ". Run the kernel as root, delegate the cgroup v2 controllers to this user (e.g. run it under"
                        + " `systemd-run --user --scope -p Delegate=yes`), or turn limits off with `sandbox: {limits: {cgroups: false}}`"
                        + " (SandboxLimits.withCgroups(false)) to run without them", List.of());
                case V2 v2 -> {
                    Path parent = v2.root().resolve(PARENT);
                    Files.createDirectories(parent);
                    write(v2.root().resolve("cgroup.subtree_control"), "+pids +memory +cpu");
                    write(parent.resolve("cgroup.subtree_control"), "+pids +memory +cpu");
                    Path dir = made(parent.resolve(agentId), made);
                    write(dir.resolve("pids.max"), Integer.toString(pids));
                    write(dir.resolve("memory.max"), Long.toString(memoryBytes));
                    if (Files.exists(dir.resolve("memory.swap.max"))) write(dir.resolve("memory.swap.max"), "0");
                    write(dir.resolve("cpu.max"), (milliCpu * CPU_PERIOD_US / 1000) + " " + CPU_PERIOD_US);
                }
                case V1 v1 -> {
                    Path p = made(v1.pids().resolve(PARENT).resolve(agentId), made);
                    write(p.resolve("pids.max"), Integer.toString(pids));
                    Path m = made(v1.memory().resolve(PARENT).resolve(agentId), made);
                    write(m.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
                    // Without swap accounting the limit is RAM only; with it, swap may not stretch it.
                    if (Files.exists(m.resolve("memory.memsw.limit_in_bytes"))) write(m.resolve("memory.memsw.limit_in_bytes"), Long.toString(memoryBytes));
                    Path c = made(v1.cpu().resolve(PARENT).resolve(agentId), made);
                    write(c.resolve("cpu.cfs_period_us"), Long.toString(CPU_PERIOD_US));
                    write(c.resolve("cpu.cfs_quota_us"), Long.toString(milliCpu * CPU_PERIOD_US / 1000));
                }
            }
        } catch (IOException e) {
            new Cgroup(made).remove();
            throw new SpawnFailedException("cannot set up the sandboxed agent's cgroup (" + e.getMessage() + "); turn limits off with"
                    + " `sandbox: {limits: {cgroups: false}}` if this machine cannot have them", List.of());
        }
        return new Cgroup(made);
    }

    /** The cgroup of a known agent id (after a restart or for an attached agent), for {@link #remove()}. */
    public static Cgroup existing(Availability where, String agentId) {
        return new Cgroup(paths(where, agentId).stream().filter(Files::isDirectory).toList());
    }

    /** Where the agent's cgroup directories are (made or not), for the join in {@link #wrap}. */
    public static Cgroup at(Availability where, String agentId) {
        return new Cgroup(paths(where, agentId));
    }

    private static List<Path> paths(Availability where, String agentId) {
        List<Path> dirs = switch (where) {
            case V2 v2 -> List.of(v2.root().resolve(PARENT).resolve(agentId));
            case V1 v1 -> List.of(v1.pids().resolve(PARENT).resolve(agentId), v1.memory().resolve(PARENT).resolve(agentId),
                    v1.cpu().resolve(PARENT).resolve(agentId));
            case None none -> List.of();
        };
        return dirs;
    }

    private static Path made(Path dir, List<Path> made) throws IOException {
        Files.createDirectories(dir.getParent());
        Files.createDirectory(dir);
        made.add(dir);
        return dir;
    }

    private static void write(Path file, String value) throws IOException {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new IOException("writing '" + value + "' to " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code sh -c '<join each cgroup.procs>; exec "$@"' ... <command>}: the process becomes the command after joining.
     * A failed join ends it with 125 and a message on its stderr (the spawn error's tail).
     */
    public List<String> wrap(List<String> command) {
        if (dirs.isEmpty()) return command;
        List<String> out = new ArrayList<>(List.of("/bin/sh", "-c",
                "for f in \"$@\"; do [ \"$f\" = -- ] && break; echo $$ > \"$f\" || { echo \"agentkernel: cannot join cgroup $f\" >&2; exit 125; }; "
                        + "done; while [ \"$1\" != -- ]; do shift; done; shift; exec \"$@\"", "agentkernel-cgroup"));
        for (Path d : dirs) out.add(d.resolve("cgroup.procs").toString());
        out.add("--");
        out.addAll(command);
        return out;
    }

    /**
     * Removes the directories; a cgroup still holding processes cannot be removed, so this waits up to 5 s for the
     * killed ones to go. Returns whether all are gone.
     */
    public boolean remove() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        boolean all = true;
        for (Path d : dirs) {
            while (Files.isDirectory(d)) {
                try {
                    Files.delete(d); // rmdir: a cgroup's files go with it
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) break;
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            all &= !Files.isDirectory(d);
        }
        return all;
    }

    @Override
    public String toString() { return "cgroup" + dirs; }
}
