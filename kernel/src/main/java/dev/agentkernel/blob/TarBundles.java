package dev.agentkernel.blob;

import dev.agentkernel.AgentKernelException;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.PathEscapeException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Packs a directory into a reproducible tar (sorted entries, fixed time, owner 0, only the exec bit kept)
 * and unpacks one, refusing every entry that would land outside the target. Reproducibility is what
 * makes the blob store content-addressed: the same tree always gives the same bytes.
 */
public final class TarBundles {
    private TarBundles() {}

    private static final FileTime EPOCH = FileTime.fromMillis(0);

    public static void pack(Path dir, OutputStream out) throws IOException {
        Path root = dir.toRealPath();
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = new ArrayList<>(walk.filter(p -> !p.equals(dir)).toList());
        }
        paths.sort((a, b) -> relName(dir, a).compareTo(relName(dir, b)));
        refuseHardLinksToOutside(dir, paths);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path p : paths) {
                String name = relName(dir, p);
                if (Files.isSymbolicLink(p)) {
                    Path target = p.toRealPath();
                    if (!target.startsWith(root)) {
                        throw new PathEscapeException("symlink '" + name + "' points outside the bundle (to " + target
                                + "); copy the file into the directory or remove the link");
                    }
                    // A link inside the tree is stored as what it points at, so unpacking never creates links.
                }
                boolean isDir = Files.isDirectory(p);
                TarArchiveEntry e = new TarArchiveEntry(isDir ? name + "/" : name);
                e.setLastModifiedTime(EPOCH);
                e.setUserId(0);
                e.setGroupId(0);
                e.setUserName("");
                e.setGroupName("");
                e.setMode(isDir || Files.isExecutable(p) ? 0755 : 0644);
                if (!isDir) e.setSize(Files.size(p));
                tar.putArchiveEntry(e);
                if (!isDir) Files.copy(p, tar);
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
    }

    /**
     * A hard link has no target to check like a symlink's: all its names are equal. A file whose link count is higher
     * than the number of its names inside the tree also has a name outside it, so packing it would copy a file from
     * elsewhere (an agent could link {@code ~/.ssh/id_rsa} into a directory the user later uploads). Files whose every
     * name is inside are packed, each as a plain file.
     */
    private static void refuseHardLinksToOutside(Path dir, List<Path> paths) throws IOException {
        java.util.Map<Object, Integer> namesInside = new java.util.HashMap<>();
        List<Path> linked = new ArrayList<>();
        for (Path p : paths) {
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) continue;
            int links = nlink(p);
            if (links > 1) {
                linked.add(p);
                namesInside.merge(Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS).fileKey(), 1, Integer::sum);
            }
        }
        for (Path p : linked) {
            Object key = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            int links = nlink(p);
            int inside = namesInside.getOrDefault(key, 0);
            if (key == null || links > inside) {
                String name = relName(dir, p);
                throw new PathEscapeException("file '" + name + "' is a hard link to a file that also has a name outside the bundle ("
                        + links + " links, " + inside + " inside " + dir + "): put a copy there instead (cp, not ln), or remove it");
            }
        }
    }

    private static int nlink(Path p) throws IOException {
        try {
            return ((Number) Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue();
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return 1; // no unix view (not Linux or macOS): links cannot be told apart here
        }
    }

    public static void unpack(InputStream in, Path targetDir) throws IOException {
        Files.createDirectories(targetDir);
        Path root = targetDir.toRealPath();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = e.getName();
                if (name.startsWith("/") || name.contains("\\")) {
                    throw new PathEscapeException("bundle entry '" + name + "' is an absolute path; refusing to unpack");
                }
                Path dest = root.resolve(name).normalize();
                if (!dest.startsWith(root) || dest.equals(root) && !e.isDirectory()) {
                    throw new PathEscapeException("bundle entry '" + name + "' escapes the target directory; refusing to unpack");
                }
                if (e.isSymbolicLink() || e.isLink()) {
                    throw new PathEscapeException("bundle entry '" + name + "' is a link; bundles hold only files and directories");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(dest);
                } else if (e.isFile()) {
                    Files.createDirectories(dest.getParent());
                    if (Files.isSymbolicLink(dest.getParent()) || !dest.getParent().toRealPath().startsWith(root)) {
                        throw new PathEscapeException("bundle entry '" + name + "' would be written through a link outside the target");
                    }
                    Files.copy(tar, dest, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    if ((e.getMode() & 0100) != 0) dest.toFile().setExecutable(true, false);
                } else {
                    throw new InvalidRequestException("bundle entry '" + name + "' is neither a file nor a directory");
                }
            }
        }
    }

    private static String relName(Path dir, Path p) {
        return dir.relativize(p).toString().replace('\\', '/');
    }

    static void requireDirectory(Path dir) {
        if (dir == null || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir)) {
            throw new AgentKernelException("cannot upload '" + dir + "': no such directory; pass the path of an existing directory");
        }
    }
}
