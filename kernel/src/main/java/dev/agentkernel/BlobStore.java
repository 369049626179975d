package dev.agentkernel;

import java.io.InputStream;
import java.nio.file.Path;

/** Content-addressed storage for code bundles. */
public interface BlobStore {
    /** Packs a directory and returns its URI; the same content always gives the same URI and is stored once. */
    String uploadDir(Path dir);

    /** The stored archive for a URI. */
    InputStream open(String uri);

    /** Restores the archive behind {@code uri} into {@code targetDir}. */
    void download(String uri, Path targetDir);
}
