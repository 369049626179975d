package dev.agentkernel.spawn.sandbox;

import dev.agentkernel.spawn.local.AgentDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The bubblewrap command line that runs one runner (docs/sandbox.md explains each choice).
 *
 * <p>The new root is empty apart from what is listed here: the system directories read-only, the
 * JDK and runner jar read-only, a private {@code /tmp}, {@code /proc} and {@code /dev}, and the agent's
 * own directory read-write at the same absolute path, so the paths in the runner config stay valid.
 * The kernel's state dir (other agents, AppCDS archives, blobs, images) and the host's home are never
 * mounted, so they do not exist inside. With an isolated network the sandbox gets its own network
 * namespace (loopback only) and the agent's relay directory at {@code /run/agentkernel}, through which
 * the kernel reaches the runner and the runner its LLM; otherwise it shares the host's network.
 */
public final class BwrapCommand {

    /** The read-only view of the system. A symlink on the host (merged /usr) becomes the same symlink inside. */
    static final List<String> SYSTEM_PATHS = List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc");
    static final String AUTO_CREATE_CDS = "-XX:+AutoCreateSharedArchive";
    static final String CDS_FILE = "-XX:SharedArchiveFile=";
    /** The JDK 25 AOT cache ({@code RunnerClassCache}): bound read-only like the AppCDS archive, or the runner starts without it. */
    static final String AOT_FILE = "-XX:AOTCache=";
    static final Set<String> CLASS_PATH_FLAGS = Set.of("-cp", "-classpath", "--class-path");

    private BwrapCommand() {}

    /**
     * {@code bwrap <options> -- <runner command>}. A non-detached agent gets {@code --die-with-parent}:
     * it dies with the thread that started it (see {@link SandboxLauncher}); a detached one must outlive
     * the kernel.
     */
    public static List<String> build(Path bwrap, List<String> runnerCommand, AgentDir dir, boolean detached) {
        return build(bwrap, runnerCommand, dir, detached, null);
    }

    /**
     * As {@link #build(Path, List, AgentDir, boolean)}; a non-null {@code relayDir} isolates the network: a
     * network namespace of its own, with {@code relayDir} (the host side of the relay sockets) mounted at
     * {@link dev.agentkernel.protocol.relay.RelaySockets#SANDBOX_DIR}. A root kernel's sandbox drops to
     * {@link SandboxUser#forKernel()}; {@code /tmp} gets {@link #DEFAULT_TMP_BYTES}.
     */
    public static List<String> build(Path bwrap, List<String> runnerCommand, AgentDir dir, boolean detached, Path relayDir) {
        return of(bwrap, runnerCommand, dir, detached, new Options(relayDir, SandboxUser.forKernel(), DEFAULT_TMP_BYTES));
    }

    /** Default size of the sandbox's private {@code /tmp} (a tmpfs, so host RAM): 256 MiB. */
    public static final long DEFAULT_TMP_BYTES = 256L << 20;

    /**
     * How one sandbox is set up beyond its agent directory.
     *
     * @param relayDir the host side of the relay sockets (isolated network), or null to share the host's network
     * @param user     the host user a root kernel's sandbox drops to, or null to keep the kernel's own uid (not root)
     * @param tmpBytes the size of the private {@code /tmp}
     */
    public record Options(Path relayDir, SandboxUser user, long tmpBytes) {
        public Options {
            if (tmpBytes <= 0) throw new IllegalArgumentException("the sandbox /tmp size must be positive, got " + tmpBytes);
        }
    }

    /**
     * The full command. Two shapes (docs/sandbox.md, "Users"):
     * <ul>
     *   <li>kernel not root: one unprivileged bwrap; it runs in a user namespace of its own as the kernel's uid;</li>
     *   <li>kernel root ({@code options.user() != null}): an outer bwrap, as root, makes every mount (so it can reach
     *       any file the kernel can); then {@code setpriv} drops to the sandbox user and an inner, unprivileged bwrap
     *       puts the runner in a user and pid namespace of its own, with a fresh {@code /proc}. Nothing of the agent
     *       ever runs as host root.</li>
     * </ul>
     * Either way the runner is told ({@link dev.agentkernel.protocol.sandbox.ToolSandboxEnv#ENV}) to start its tools in a
     * third, nested bwrap, where {@code /proc/sys} is read-only and the runner's files are out of reach.
     */
    public static List<String> of(Path bwrap, List<String> runnerCommand, AgentDir dir, boolean detached, Options options) {
        if (runnerCommand.isEmpty()) throw new IllegalArgumentException("the runner command is empty");
        SandboxUser user = options.user();
        Path relayDir = options.relayDir();
        List<String> args = new ArrayList<>();
        args.add(bwrap.toString());
        List<Path> systemRoots = systemView(args);
        // As root, /proc is the host's, bound without bwrap's covers: the inner bwrap can mount a fresh /proc for its
        // pid namespace only where a procfs is fully visible, and it is that fresh /proc the runner sees. Without
        // root, bwrap makes the user namespace itself and mounts /proc for the new pid namespace.
        if (user != null) args.addAll(List.of("--bind", "/proc", "/proc"));
        else args.addAll(List.of("--proc", "/proc"));
        args.addAll(List.of("--dev", "/dev",
                // tmpfs lives in host RAM: bounded, and open to every user of the sandbox like a real /tmp
                "--perms", "1777", "--size", Long.toString(options.tmpBytes()), "--tmpfs", "/tmp"));
        if (systemRoots.contains(HostSecrets.ETC)) mask(args, HostSecrets.etc());
        Path agentDir = dir.path().toAbsolutePath().normalize();
        RunnerFiles runner = RunnerFiles.of(runnerCommand);
        List<String> destinations = new ArrayList<>(bindReadOnly(args, runner.readOnly(), systemRoots, agentDir));
        String workspace = dir.workspace().toAbsolutePath().normalize().toString();
        // The agent directory is read-only inside: the runner reads its config there, and the kernel keeps its
        // record (whose pid `cleanup` signals) and writes files there, so the agent must neither rewrite them
        // nor plant links for the kernel to follow. Writable for the runner: the workspace, and the logs it appends
        // to (created by the kernel beforehand; a bind mount needs an existing file). Its tools see neither log.
        args.addAll(List.of("--ro-bind", agentDir.toString(), agentDir.toString(), "--bind", workspace, workspace));
        destinations.add(agentDir.toString());
        for (Path log : List.of(dir.historyFile(), dir.busLogFile())) {
            String file = log.toAbsolutePath().normalize().toString();
            if (Files.isRegularFile(log, java.nio.file.LinkOption.NOFOLLOW_LINKS)) args.addAll(List.of("--bind", file, file));
        }
        String inside = dev.agentkernel.protocol.relay.RelaySockets.SANDBOX_DIR;
        if (relayDir != null) {
            args.addAll(List.of("--bind", relayDir.toAbsolutePath().normalize().toString(), inside));
            destinations.add(inside);
        }
        if (user != null) openAncestors(args, destinations, systemRoots);
        args.addAll(List.of("--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--new-session"));
        if (relayDir != null) args.add("--unshare-net");
        if (!detached) args.add("--die-with-parent");
        String toolBwrap = bwrapInside(bwrap, systemRoots);
        List<String> runnerSide = new ArrayList<>(List.of(
                "--chdir", workspace,
                "--setenv", "HOME", workspace,
                "--setenv", "TMPDIR", "/tmp",
                "--setenv", dev.agentkernel.protocol.sandbox.ToolSandboxEnv.ENV, toolBwrap));
        if (user == null) {
            args.addAll(List.of("--unshare-pid", "--cap-drop", "ALL"));
            args.addAll(runnerSide);
        } else {
            // setpriv needs these two to switch users; it gives them up with the switch (no keep-caps), and bwrap has
            // set no_new_privs, so nothing below can gain them back.
            args.addAll(List.of("--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"));
            args.add("--");
            args.addAll(List.of(SETPRIV, "--reuid=" + user.uid(), "--regid=" + user.gid(), "--clear-groups", "--"));
            args.addAll(List.of(toolBwrap, "--bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
                    "--unshare-user", "--uid", Integer.toString(SandboxUser.INSIDE_ID), "--gid", Integer.toString(SandboxUser.INSIDE_ID),
                    "--unshare-pid", "--die-with-parent", "--cap-drop", "ALL"));
            args.addAll(runnerSide);
        }
        args.add("--");
        args.addAll(runner.command());
        return List.copyOf(args);
    }

    static final String SETPRIV = "/usr/bin/setpriv";
    /** Mounts the sandbox makes itself, whose modes are set where they are made. */
    private static final Set<String> OWN_MOUNTS = Set.of("/tmp", "/proc", "/dev");

    /**
     * bwrap creates the missing parents of a mount point with mode 0700, owned by root: fine for a root runner,
     * closed to the sandbox user. They exist only in the sandbox's own root, so opening them hides nothing.
     */
    private static void openAncestors(List<String> args, List<String> destinations, List<Path> systemRoots) {
        Set<String> dests = new LinkedHashSet<>(destinations);
        Set<String> ancestors = new LinkedHashSet<>();
        for (String d : destinations) {
            for (Path a = Path.of(d).getParent(); a != null && a.getParent() != null; a = a.getParent()) {
                Path ancestor = a;
                // /tmp is the sandbox's own tmpfs (mode 1777) and keeps its mode; the system dirs are real host dirs
                if (dests.contains(ancestor.toString()) || OWN_MOUNTS.contains(ancestor.toString())
                        || systemRoots.stream().anyMatch(ancestor::startsWith)) continue;
                ancestors.add(ancestor.toString());
            }
        }
        for (String a : ancestors) args.addAll(List.of("--chmod", "0755", a));
    }

    /** The bwrap the runner starts its tools with: the same binary, found at the same path inside when the system view has it. */
    private static String bwrapInside(Path bwrap, List<Path> systemRoots) {
        try {
            Path real = bwrap.toRealPath();
            if (systemRoots.stream().anyMatch(real::startsWith)) return real.toString();
        } catch (IOException e) {
            // fall through to the usual place
        }
        return "/usr/bin/bwrap";
    }

    /** Adds the read-only system directories to {@code args}; returns the real paths of those mounted. */
    private static List<Path> systemView(List<String> args) {
        List<Path> roots = new ArrayList<>();
        for (String p : SYSTEM_PATHS) {
            Path path = Path.of(p);
            try {
                if (Files.isSymbolicLink(path)) {
                    args.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), p));
                } else if (Files.isDirectory(path)) {
                    args.addAll(List.of("--ro-bind", p, p));
                    roots.add(path.toRealPath());
                }
            } catch (IOException e) {
                // Vanished between the checks: nothing to mount.
            }
        }
        return roots;
    }

    /** Covers what only its owner may read in the system view: an empty file over a file, an empty read-only tmpfs over a directory. */
    static void mask(List<String> args, HostSecrets.Masks masks) {
        for (Path file : masks.files()) args.addAll(List.of("--ro-bind", "/dev/null", file.toString()));
        for (Path dir : masks.dirs()) args.addAll(List.of("--tmpfs", dir.toString(), "--remount-ro", dir.toString()));
    }

    /** The runner command as it runs inside, and the host files it needs read-only. */
    record RunnerFiles(List<String> command, Set<Path> readOnly) {
        static RunnerFiles of(List<String> runnerCommand) {
            Set<Path> readOnly = new LinkedHashSet<>();
            List<String> inner = new ArrayList<>();
            readOnly.add(javaHome(Path.of(runnerCommand.getFirst())));
            inner.add(runnerCommand.getFirst());
            for (int i = 1; i < runnerCommand.size(); i++) {
                String arg = runnerCommand.get(i);
                if (CLASS_PATH_FLAGS.contains(arg) && i + 1 < runnerCommand.size()) {
                    // Normalized: "a/../b" needs "a" to exist, and inside the sandbox it may not.
                    List<String> entries = new ArrayList<>();
                    for (String entry : runnerCommand.get(++i).split(File.pathSeparator)) {
                        if (entry.isBlank()) continue;
                        Path p = Path.of(entry).toAbsolutePath().normalize();
                        readOnly.add(p);
                        readOnly.addAll(manifestClassPath(p));
                        entries.add(p.toString());
                    }
                    inner.add(arg);
                    inner.add(String.join(File.pathSeparator, entries));
                } else if (arg.equals(AUTO_CREATE_CDS)) {
                    // The archive is shared by all agents; a sandboxed runner may only map it, never write it.
                } else if (arg.startsWith(CDS_FILE) || arg.startsWith(AOT_FILE)) {
                    Path archive = Path.of(arg.substring(arg.indexOf('=') + 1));
                    if (Files.isRegularFile(archive)) {
                        readOnly.add(archive);
                        inner.add(arg);
                    }
                } else {
                    inner.add(arg);
                }
            }
            return new RunnerFiles(List.copyOf(inner), readOnly);
        }
    }

    /** Read-only mounts for {@code paths} that the system view and the agent dir do not already provide. */
    private static Set<String> bindReadOnly(List<String> args, Set<Path> paths, List<Path> systemRoots, Path agentDir) {
        Set<String> mounted = new LinkedHashSet<>();
        for (Path p : paths) {
            Path abs = p.toAbsolutePath().normalize();
            Path real;
            try {
                real = abs.toRealPath();
            } catch (IOException e) {
                continue; // missing: the runner reports it on its stderr
            }
            if (abs.startsWith(agentDir)) continue;
            // The real path, so symlinks that lead there resolve inside too ...
            if (!covered(real, systemRoots) && mounted.add(real.toString())) {
                args.addAll(List.of("--ro-bind", real.toString(), real.toString()));
            }
            // ... and the name the command uses, when that is a symlink from outside the system dirs.
            if (!abs.equals(real) && systemRoots.stream().noneMatch(abs::startsWith) && mounted.add(abs.toString())) {
                args.addAll(List.of("--ro-bind", real.toString(), abs.toString()));
            }
        }
        return mounted;
    }

    /** {@code <home>} for {@code <home>/bin/java}, so the JVM finds its libraries and modules; else the program itself. */
    static Path javaHome(Path program) {
        Path parent = program.toAbsolutePath().getParent();
        if (program.getFileName() != null && program.getFileName().toString().equals("java")
                && parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("bin")
                && parent.getParent() != null) {
            return parent.getParent();
        }
        return program;
    }

    /**
     * What a jar's manifest {@code Class-Path} pulls in (the runner jar lists its libraries in {@code lib/}):
     * a library directory as one mount, a file next to the jar as itself.
     */
    static Set<Path> manifestClassPath(Path jar) {
        Set<Path> out = new LinkedHashSet<>();
        if (!Files.isRegularFile(jar) || !jar.getFileName().toString().endsWith(".jar")) return out;
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String classPath = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (classPath == null) return out;
            Path base = jar.toAbsolutePath().getParent();
            for (String entry : classPath.trim().split("\\s+")) {
                if (entry.isEmpty() || entry.contains(":")) continue; // URLs with a scheme are not files we can bind
                Path p = base.resolve(entry).normalize();
                Path parent = p.getParent();
                out.add(parent != null && !parent.equals(base) && parent.startsWith(base) ? parent : p);
            }
        } catch (IOException e) {
            // Not a readable jar: the runner will say what is missing on its stderr.
        }
        return out;
    }

    /** {@code real} is a real path; {@code roots} are the real paths of the read-only system dirs. */
    private static boolean covered(Path real, List<Path> roots) {
        return roots.stream().anyMatch(real::startsWith);
    }
}
