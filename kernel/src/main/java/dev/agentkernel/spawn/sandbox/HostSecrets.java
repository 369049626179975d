package dev.agentkernel.spawn.sandbox;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What of the read-only system view the agent must still not read: files and directories under {@code /etc}
 * that are not readable by everyone ({@code /etc/shadow}, {@code /etc/ssl/private}, database credentials).
 * The sandbox keeps the kernel's uid, so when the kernel runs as root those would be readable inside even
 * with every capability dropped: root owns them. The sandbox mounts an empty file or directory over each.
 *
 * <p>A scan of {@code /etc} takes a few milliseconds; it is reused for {@link #MAX_AGE_MILLIS} so a burst of
 * spawns pays it once, and repeated after that so a file made private later is masked from then on.
 */
final class HostSecrets {
    static final Path ETC = Path.of("/etc");
    static final long MAX_AGE_MILLIS = 10_000;

    /** Regular files to cover with an empty file, directories to cover with an empty read-only tmpfs. */
    record Masks(List<Path> files, List<Path> dirs) {
        static final Masks NONE = new Masks(List.of(), List.of());
    }

    private static Masks cached;
    private static long cachedAt;

    private HostSecrets() {}

    /** The masks for {@code /etc}, scanned at most {@link #MAX_AGE_MILLIS} ago. */
    static synchronized Masks etc() {
        long now = System.currentTimeMillis();
        if (cached == null || now - cachedAt > MAX_AGE_MILLIS) {
            cached = scan(ETC);
            cachedAt = now;
        }
        return cached;
    }

    /**
     * Everything under {@code root} that others may not read: files without o+r, directories without o+r or
     * o+x (whose content is then masked as a whole). Links are not followed: their targets are judged where
     * they live. What this process cannot read itself is skipped: the agent, with the same uid and no
     * capabilities, cannot read it either.
     */
    static Masks scan(Path root) {
        List<Path> files = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        if (!Files.isDirectory(root)) return Masks.NONE;
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    if (!dir.equals(root) && !publicDir(dir)) {
                        dirs.add(dir);
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isRegularFile() && !permissions(file).contains(PosixFilePermission.OTHERS_READ)) files.add(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // A directory vanished mid-walk: mask what was found.
        }
        return new Masks(List.copyOf(files), List.copyOf(dirs));
    }

    private static boolean publicDir(Path dir) throws IOException {
        Set<PosixFilePermission> p = permissions(dir);
        return p.contains(PosixFilePermission.OTHERS_READ) && p.contains(PosixFilePermission.OTHERS_EXECUTE);
    }

    private static Set<PosixFilePermission> permissions(Path p) throws IOException {
        return Files.readAttributes(p, PosixFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS).permissions();
    }
}
