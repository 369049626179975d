package dev.agentkernel.blob;

import dev.agentkernel.AgentKernelException;
import dev.agentkernel.BlobNotFoundException;
import dev.agentkernel.BlobStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A content-addressed store under {@code <stateDir>/blobs/sha256/}. An archive is written to a temporary
 * file while its digest is computed, then moved to its digest's name, so a half-written blob is never
 * visible and a second upload of the same content costs one pack and no second copy.
 */
public final class LocalBlobStore implements BlobStore {
    private final Path dir;

    public LocalBlobStore(Path stateDir) {
        this.dir = stateDir.resolve("blobs").resolve("sha256");
    }

    @Override
    public String uploadDir(Path source) {
        TarBundles.requireDirectory(source);
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, ".upload-", ".tar");
            MessageDigest sha = sha256();
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), sha)) {
                TarBundles.pack(source, out);
            }
            BlobUri uri = new BlobUri(HexFormat.of().formatHex(sha.digest()));
            Path target = pathOf(uri);
            if (Files.exists(target)) {
                Files.delete(tmp);
            } else {
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException raced) {
                    Files.deleteIfExists(tmp);
                }
            }
            return uri.toString();
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new AgentKernelException("could not pack '" + source + "': " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    @Override
    public InputStream open(String uri) {
        Path p = pathOf(BlobUri.parse(uri));
        try {
            return Files.newInputStream(p);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new BlobNotFoundException("no blob stored for " + uri + " in " + dir
                    + "; upload the directory with blobStore().uploadDir(path) and use the URI it returns");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void download(String uri, Path targetDir) {
        try (InputStream in = open(uri)) {
            TarBundles.unpack(in, targetDir);
        } catch (IOException e) {
            throw new AgentKernelException("could not unpack " + uri + " into " + targetDir + ": " + e.getMessage(), e);
        }
    }

    /** True when the URI names a stored blob. */
    public boolean exists(String uri) {
        return Files.isRegularFile(pathOf(BlobUri.parse(uri)));
    }

    public Path pathOf(BlobUri uri) {
        return dir.resolve(uri.sha256Hex() + ".tar");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a stray temp file is named .upload-* and never read
        }
    }
}
