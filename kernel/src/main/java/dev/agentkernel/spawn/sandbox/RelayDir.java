package dev.agentkernel.spawn.sandbox;

import dev.agentkernel.AgentKernelException;
import dev.agentkernel.protocol.relay.RelaySockets;
import dev.agentkernel.spawn.local.AgentDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where an isolated agent's relay sockets live on the host: {@code <stateDir>/relay/<agent id>/}, bound into
 * the sandbox at {@link RelaySockets#SANDBOX_DIR}. Not inside the agent's own directory, which the agent may
 * rewrite: it could swap the directory for a link and make the kernel create sockets elsewhere.
 *
 * <p>Java limits a socket path to 106 bytes (RelaySockets.MAX_PATH_BYTES). When the state dir is so deep that ours would not fit, the
 * kernel reaches the same directory through a short private link, {@code <tmp>/agentkernel-<uid>/<id>};
 * the sandbox always sees the short {@link RelaySockets#SANDBOX_DIR}.
 */
record RelayDir(Path dir, Path access) {
    static final String RELAY = dev.agentkernel.spawn.local.LocalStateDir.RELAY_DIR;
    /** The longest socket name we create there. */
    private static final int LONGEST_NAME = Math.max(RelaySockets.EGRESS.length(),
            Math.max(RelaySockets.HTTP.length(), RelaySockets.BUS.length()));

    /** The relay directory of the agent in {@code agentDir} (which is {@code <stateDir>/agents/<id>}). */
    static RelayDir of(AgentDir agentDir) {
        Path agent = agentDir.path().toAbsolutePath().normalize();
        Path stateDir = agent.getParent().getParent();
        String id = agent.getFileName().toString();
        Path dir = stateDir.resolve(RELAY).resolve(id);
        Path access = fits(dir) ? dir : shortLinkRoot().resolve(id);
        return new RelayDir(dir, access);
    }

    /** Creates the directory (0700) and, if needed, the short link to it. */
    RelayDir create() {
        try {
            createPrivate(dir.getParent());
            createPrivate(dir);
            if (!access.equals(dir)) {
                createPrivate(access.getParent());
                ownedAndPrivate(access.getParent());
                Files.deleteIfExists(access);
                Files.createSymbolicLink(access, dir);
            }
            return this;
        } catch (IOException e) {
            throw new AgentKernelException("cannot create the relay directory " + dir + (access.equals(dir) ? "" : " (via " + access + ")")
                    + ": " + e.getMessage() + "; check that the state dir is writable", e);
        }
    }

    /** The host path of a socket in this directory, short enough to bind or connect. */
    Path socket(String name) { return access.resolve(name); }

    /** Removes the directory, its sockets and the short link. */
    void delete() {
        try {
            if (!access.equals(dir)) Files.deleteIfExists(access);
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            // Best effort: an empty directory or a dead socket left behind holds no secret.
        }
    }

    static boolean fits(Path dir) {
        return dir.resolve("x".repeat(LONGEST_NAME)).toString().getBytes(StandardCharsets.UTF_8).length <= RelaySockets.MAX_PATH_BYTES;
    }

    private static Path shortLinkRoot() {
        String uid;
        try {
            uid = String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            uid = System.getProperty("user.name", "user");
        }
        return Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().resolve("agentkernel-" + uid);
    }

    private static void createPrivate(Path p) throws IOException {
        try {
            Files.createDirectory(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException exists) {
            // Ours from an earlier spawn, or another kernel's on the same state dir.
        }
    }

    /** A shared temp dir is only ours to use if it is a real directory that only we can enter. */
    private static void ownedAndPrivate(Path p) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Object ourUid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        Object itsUid = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (!a.isDirectory() || !ourUid.equals(itsUid) || !a.permissions().equals(PosixFilePermissions.fromString("rwx------"))) {
            throw new IOException(p + " is not a private directory of this user (it must be a real directory, mode 0700,"
                    + " owned by uid " + ourUid + "); remove it, or use a shorter state dir (AGENTKERNEL_HOME)");
        }
    }
}
