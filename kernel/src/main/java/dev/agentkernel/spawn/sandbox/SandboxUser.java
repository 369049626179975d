package dev.agentkernel.spawn.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The host uid and gid a sandboxed runner runs as when the kernel is root (docs/sandbox.md, "Users").
 *
 * <p>Root's own uid inside a sandbox keeps root's ownership of every host file, {@code /proc/sys} included
 * (dropped capabilities do not change who owns a file): a red-team pass wrote {@code vm/drop_caches} and
 * {@code kernel/core_pattern} from inside. So a root kernel gives the runner's files to this user, and the
 * sandbox drops to it before anything of the agent runs. A kernel that is not root keeps its own uid (it
 * cannot switch), which is not root either.
 */
public record SandboxUser(int uid, int gid) {
    /** {@code nobody:nogroup} on Debian and most distributions. */
    public static final SandboxUser NOBODY = new SandboxUser(65534, 65534);
    /** The uid and gid the agent sees inside the sandbox's user namespace when the kernel is root. */
    public static final int INSIDE_ID = 1000;

    public SandboxUser {
        if (uid <= 0 || gid <= 0) {
            throw new IllegalArgumentException("a sandbox user must not be root (uid " + uid + ", gid " + gid + ")");
        }
    }

    /** The effective uid of this JVM (0 for root); -1 when /proc cannot tell. */
    public static int kernelUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    /** The user to switch to: {@link #NOBODY} for a root kernel, null (keep the kernel's uid) otherwise. */
    public static SandboxUser forKernel() {
        return kernelUid() == 0 ? NOBODY : null;
    }

    /** Gives {@code path} (not a link it may be) to this user. */
    public void own(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) return;
        Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }

    /** {@link #own} for {@code root} and everything below it, links themselves, never their targets. */
    public void ownTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) own(p);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public String toString() { return uid + ":" + gid; }
}
