package dev.agentkernel.spawn.sandbox.net;

import dev.agentkernel.protocol.relay.RelaySockets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The file of a listening Unix socket in a directory the sandboxed agent can also write to. Nothing here
 * follows a symbolic link at the socket's path: the agent could have put one there to point us at a file
 * of the host.
 */
final class SocketFiles {
    private SocketFiles() {}

    /** Fails with a clear message where bind would fail with a vague one. */
    static void checkLength(Path socket) throws IOException {
        int bytes = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > RelaySockets.MAX_PATH_BYTES) {
            throw new IOException("socket path " + socket + " is " + bytes + " bytes long; Linux allows at most "
                    + RelaySockets.MAX_PATH_BYTES + ": use a shorter directory");
        }
    }

    /** Deletes a socket left behind by an earlier listener; anything else at the path is not ours to remove. */
    static void removeStale(Path socket) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException absent) {
            return;
        }
        if (!attributes.isOther()) {
            throw new IOException(socket + " exists and is " + kind(attributes) + ", not a socket; refusing to replace it"
                    + " (remove it if it is yours, then try again)");
        }
        Files.deleteIfExists(socket);
    }

    /** Removes our socket on close, but not whatever an agent may have put in its place. */
    static void deleteIfSocket(Path socket) {
        try {
            if (Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
                Files.deleteIfExists(socket);
            }
        } catch (IOException ignored) {
            // Already gone, or the directory went with the agent.
        }
    }

    private static String kind(BasicFileAttributes attributes) {
        if (attributes.isSymbolicLink()) return "a symbolic link";
        if (attributes.isDirectory()) return "a directory";
        if (attributes.isRegularFile()) return "a regular file";
        return "something else";
    }
}
