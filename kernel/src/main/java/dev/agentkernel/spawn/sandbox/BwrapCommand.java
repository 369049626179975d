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
     * {@link dev.agentkernel.protocol.relay.RelaySockets#SANDBOX_DIR}.
     */
    public static List<String> build(Path bwrap, List<String> runnerCommand, AgentDir dir, boolean detached, Path relayDir) {
        if (runnerCommand.isEmpty()) throw new IllegalArgumentException("the runner command is empty");
        List<String> args = new ArrayList<>();
        args.add(bwrap.toString());
        List<Path> systemRoots = systemView(args);
        args.addAll(List.of("--tmpfs", "/tmp", "--proc", "/proc", "--dev", "/dev"));
        if (systemRoots.contains(HostSecrets.ETC)) mask(args, HostSecrets.etc());
        Path agentDir = dir.path().toAbsolutePath().normalize();
        RunnerFiles runner = RunnerFiles.of(runnerCommand);
        bindReadOnly(args, runner.readOnly(), systemRoots, agentDir);
        String workspace = dir.workspace().toAbsolutePath().normalize().toString();
        // The agent directory is read-only inside: the runner reads its config there, and the kernel keeps its
        // record (whose pid `cleanup` signals) and writes files there, so the agent must neither rewrite them
        // nor plant links for the kernel to follow. Writable: the workspace, and the logs the runner appends to
        // (created by the kernel beforehand; a bind mount needs an existing file).
        args.addAll(List.of("--ro-bind", agentDir.toString(), agentDir.toString(), "--bind", workspace, workspace));
        for (Path log : List.of(dir.historyFile(), dir.busLogFile())) {
            String file = log.toAbsolutePath().normalize().toString();
            if (Files.isRegularFile(log, java.nio.file.LinkOption.NOFOLLOW_LINKS)) args.addAll(List.of("--bind", file, file));
        }
        args.addAll(List.of(
                "--chdir", workspace,
                "--setenv", "HOME", workspace,
                "--setenv", "TMPDIR", "/tmp",
                "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--new-session",
                "--cap-drop", "ALL"));
        if (relayDir != null) {
            String inside = dev.agentkernel.protocol.relay.RelaySockets.SANDBOX_DIR;
            args.addAll(List.of("--unshare-net", "--bind", relayDir.toAbsolutePath().normalize().toString(), inside));
        }
        if (!detached) args.add("--die-with-parent");
        args.add("--");
        args.addAll(runner.command());
        return List.copyOf(args);
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
                } else if (arg.startsWith(CDS_FILE)) {
                    Path archive = Path.of(arg.substring(CDS_FILE.length()));
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
    private static void bindReadOnly(List<String> args, Set<Path> paths, List<Path> systemRoots, Path agentDir) {
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
