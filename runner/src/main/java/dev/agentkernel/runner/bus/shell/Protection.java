package dev.agentkernel.runner.bus.shell;

import java.util.Optional;
import java.util.Set;

/**
 * Which paths the gate protects, on resolved absolute paths (components that hold a glob are kept as they are,
 * so {@code /home/a/*} reads "some child of /home/a"): everything outside the workspace, the workspace itself
 * and its ancestors, the home directory, and the system directories. Inside the workspace the agent may delete
 * and write what it likes.
 */
public record Protection(String workspace, String home) {
    /** The same protection with the workspace and home as the file system resolves them (for links). */
    Protection onDisk() {
        return new Protection(real(workspace), home == null ? null : real(home));
    }

    private static String real(String path) {
        try {
            return java.nio.file.Path.of(path).toRealPath().toString();
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            return path;
        }
    }

    /**
     * Why deleting (or moving away) {@code target} is refused, or empty. A glob is also judged where a symbolic
     * link on the way leads ({@code rm -rf build/*} with {@code build -> ~} empties the home directory).
     */
    Optional<Finding> delete(Target target, boolean recursive, String verb) {
        Optional<Finding> byName = deleteByName(target, recursive, verb);
        if (byName.isPresent() || !target.glob()) return byName;
        Target real = target.onDisk(false);
        return real == null ? byName : onDisk().deleteByName(real, recursive, verb);
    }

    /** Why writing {@code target} is refused, or empty; a write follows links, so where they lead is judged too. */
    Optional<Finding> write(Target target, String verb, boolean unknownNeedsVote) {
        Optional<Finding> byName = writeByName(target, verb, unknownNeedsVote);
        if (byName.isPresent() || target.unknown()) return byName;
        Target real = target.onDisk(true);
        return real == null ? byName : onDisk().writeByName(real, verb, false);
    }
    static final Set<String> SYSTEM_ROOTS = Set.of("/", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/opt",
            "/proc", "/sbin", "/srv", "/sys", "/usr", "/var", "/home", "/root");
    /** Places a write may go besides the workspace: the bit bucket and the process's own streams. */
    private static final Set<String> HARMLESS_TARGETS = Set.of("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/zero");

    private Optional<Finding> deleteByName(Target target, boolean recursive, String verb) {
        if (target.unknown()) {
            return Optional.of(Finding.vote("it " + verb + " " + target.shown() + ", a path the gate cannot work out before it runs"));
        }
        String base = target.base();
        boolean glob = target.glob();
        String what = target.shown();
        if (base.equals("/")) {
            return Optional.of(Finding.block("rm-root", "it " + verb + " " + what + ": the root file system"));
        }
        if (!glob && isAncestorOrSelf(base, home)) {
            return Optional.of(Finding.block("rm-home", "it " + verb + " " + what + ": the home directory"));
        }
        if (SYSTEM_ROOTS.contains(base) && (recursive || glob) && !isAncestorOrSelf(base, workspace)) {
            return Optional.of(Finding.block("rm-root", "it " + verb + " " + what + ": a system directory"));
        }
        if (!glob && isAncestorOrSelf(base, workspace)) {
            return Optional.of(base.equals(workspace)
                    ? Finding.block("delete-workspace", "it " + verb + " " + what + ": the workspace itself (delete what is inside it instead)")
                    : outside("delete-outside-workspace", verb, what));
        }
        if (inside(base, workspace)) return Optional.empty();
        if (glob && base.equals(home)) {
            return Optional.of(Finding.block("rm-home", "it " + verb + " " + what + ": everything in the home directory"));
        }
        return Optional.of(outside("delete-outside-workspace", verb, what));
    }

    private Finding outside(String rule, String verb, String what) {
        return Finding.block(rule, "it " + verb + " " + what + ", outside the workspace " + workspace
                + " (an agent may only delete its own files)");
    }

    /** Unknown targets pass unless {@code unknownNeedsVote}. */
    private Optional<Finding> writeByName(Target target, String verb, boolean unknownNeedsVote) {
        if (target.unknown()) {
            return unknownNeedsVote
                    ? Optional.of(Finding.vote("it " + verb + " " + target.shown() + ", a path the gate cannot work out before it runs"))
                    : Optional.empty();
        }
        String path = target.path();
        if (HARMLESS_TARGETS.contains(path) || path.startsWith("/dev/fd/") || path.startsWith("/proc/self/fd/")) return Optional.empty();
        if (target.glob() ? inside(target.base(), workspace) : inside(path, workspace)) return Optional.empty();
        return Optional.of(Finding.block("write-outside-workspace", "it " + verb + " " + target.shown()
                + ", outside the workspace " + workspace + " (write inside the workspace instead)"));
    }

    /** Recursive chmod/chown of / , a system directory or the home directory. */
    Optional<Finding> recursiveOwnership(Target target) {
        if (target.unknown()) return Optional.empty();
        String base = target.base();
        if (SYSTEM_ROOTS.contains(base) || isAncestorOrSelf(base, home)) {
            return Optional.of(Finding.block("recursive-chmod-root", "it changes permissions or owners of " + target.shown()
                    + ": the whole system or home directory"));
        }
        return Optional.empty();
    }

    boolean insideWorkspace(String path) {
        return inside(path, workspace);
    }

    /** {@code path} is {@code dir} or below it. */
    static boolean inside(String path, String dir) {
        return path.equals(dir) || path.startsWith(dir.endsWith("/") ? dir : dir + "/");
    }

    /** {@code path} is {@code of} or one of its ancestors. */
    static boolean isAncestorOrSelf(String path, String of) {
        return of != null && inside(of, path);
    }
}
