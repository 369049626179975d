package dev.agentkernel.spawn.sandbox;

import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.SpawnFailedException;
import dev.agentkernel.config.SandboxLimits;
import dev.agentkernel.spawn.local.AgentDir;
import dev.agentkernel.spawn.local.WorkspaceMounts;
import dev.agentkernel.team.Resources;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A sandboxed agent's workspace quota (docs/sandbox.md, "Limits"): an ext4 file system in a sparse image file,
 * {@code <agent dir>/workspace.img}, loop-mounted on {@code <agent dir>/workspace/} before bwrap binds it. A write past
 * the size fails with {@code ENOSPC} ("No space left on device") in that agent only. The image stays in the agent
 * directory when the mount goes (kill, kernel close, failed spawn, cleanup), so the files are kept with the history.
 *
 * <p>Mounting needs root (a loop device and {@code mount}); a kernel that is not root, or a machine without
 * {@code /dev/loop-control} or {@code mkfs.ext4}, cannot enforce it: with the default quota the spawn goes on and the
 * log says so once; with a quota asked for explicitly (config or spawn) the spawn fails and names why.
 *
 * <p>Cost, measured on the shared 2-core test machine (mke2fs 1.47, 1 GiB image, {@code WorkspaceQuotaTest#costOfTheMount}):
 * mkfs + mount 45-89 ms (86-318 ms under load), umount 21-41 ms (52-180 ms under load); the image takes ~700 KiB on
 * disk until files are written (lazy inode table and journal init: without them mkfs writes the 32 MiB journal at once).
 */
final class WorkspaceQuota {
    private static final System.Logger LOG = System.getLogger(WorkspaceQuota.class.getName());

    private WorkspaceQuota() {}

    /** What a spawn does about its workspace. */
    sealed interface Plan permits Mount, Skip, Notice {}
    /** Mount an image of this size. */
    record Mount(long bytes) implements Plan {}
    /** No quota (0 asked for). */
    record Skip() implements Plan {}
    /** The quota is the default and cannot be enforced here: go on, say so once. */
    record Notice(String message) implements Plan {}

    /**
     * Decides for one spawn. {@code requestedBytes}: the spawn's {@code resources.workspace}, -1 when absent;
     * {@code unavailable}: why this machine cannot mount one, or null when it can.
     *
     * @throws SpawnFailedException when a quota asked for explicitly cannot be enforced
     */
    static Plan plan(SandboxLimits limits, long requestedBytes, String unavailable) {
        if (requestedBytes > 0 && requestedBytes < SandboxLimits.MIN_WORKSPACE) {
            throw new InvalidRequestException("SpawnRequest.resources.workspace must be at least 1Mi (or 0 for no quota), got "
                    + Resources.formatBytes(requestedBytes));
        }
        long bytes = requestedBytes >= 0 ? requestedBytes : limits.workspaceBytes();
        if (bytes == 0) return new Skip();
        boolean asked = requestedBytes > 0 || limits.workspaceRequired();
        if (unavailable == null) return new Mount(bytes);
        if (asked) throw cannot(bytes, unavailable, requestedBytes > 0);
        return new Notice("the sandbox's workspace quota (sandbox.limits.workspace " + Resources.formatBytes(bytes) + ") is not enforced: "
                + unavailable + "; a runaway write to a workspace is bounded only by the disk. Run the kernel as root to enforce it,"
                + " or set `sandbox: {limits: {workspace: 0}}` to silence this");
    }

    static SpawnFailedException cannot(long bytes, String why, boolean perSpawn) {
        return new SpawnFailedException("cannot enforce the workspace quota of " + Resources.formatBytes(bytes)
                + (perSpawn ? " (SpawnRequest.resources.workspace)" : " (sandbox.limits.workspace)") + ": " + why
                + ". Run the kernel as root on a machine with loop devices and e2fsprogs, or ask for no quota ("
                + (perSpawn ? "resources workspace: 0" : "`sandbox: {limits: {workspace: 0}}`") + ")", List.of());
    }

    /** Why this machine cannot mount a workspace image, or null when it can (the mount itself may still fail). */
    static String unavailable() {
        if (SandboxUser.kernelUid() != 0) return "the kernel is not root (a loop mount needs root)";
        if (!Files.exists(Path.of("/dev/loop-control"))) return "this machine has no loop devices (/dev/loop-control is missing)";
        if (tool("mkfs.ext4") == null) return "mkfs.ext4 is not installed (Debian/Ubuntu: apt-get install e2fsprogs)";
        if (tool("mount") == null) return "mount is not installed (util-linux)";
        return null;
    }

    /** {@code name} on PATH or in the sbin directories root's PATH has (a JVM's PATH may lack them). */
    static Path tool(String name) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) dirs.addAll(List.of(path.split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) continue;
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /**
     * Makes the image when the agent has none yet (sparse, 0600, ext4 without reserved blocks, so the agent gets the whole
     * size) and mounts it on the workspace ({@code nosuid,nodev}). The workspace directory must be empty. Undoes what it
     * did when it fails.
     */
    static void mount(AgentDir dir, long bytes) throws IOException {
        Path image = dir.workspaceImage();
        Path workspace = dir.workspace();
        boolean fresh = !Files.exists(image, LinkOption.NOFOLLOW_LINKS);
        try {
            if (fresh) {
                Files.newByteChannel(image, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))).close();
                try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
                    f.setLength(bytes); // sparse: blocks are taken as files are written
                }
                // -m 0: no blocks reserved for root (the agent is not root); lazy init: no 32 MiB journal written up front.
                run(List.of(tool("mkfs.ext4").toString(), "-q", "-F", "-m", "0", "-L", "agentworkspace",
                        "-E", "lazy_itable_init=1,lazy_journal_init=1", image.toString()));
            }
            run(List.of(tool("mount").toString(), "-o", "loop,nosuid,nodev", image.toString(), workspace.toString()));
            if (fresh) {
                // e2fsck would make it again when it needs it; the agent should find its workspace empty.
                Files.deleteIfExists(workspace.resolve("lost+found"));
                Files.setPosixFilePermissions(workspace, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        } catch (IOException | RuntimeException e) {
            WorkspaceMounts.unmount(workspace);
            if (fresh) Files.deleteIfExists(image);
            throw e;
        }
    }

    private static void run(List<String> command) throws IOException {
        long start = System.nanoTime();
        String failed = dev.agentkernel.spawn.local.WorkspaceMounts.run(command, 60);
        if (failed != null) throw new IOException(failed);
        LOG.log(System.Logger.Level.DEBUG, () -> command.getFirst() + " took " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }
}
