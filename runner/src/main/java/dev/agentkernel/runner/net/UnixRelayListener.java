package dev.agentkernel.runner.net;

import dev.agentkernel.protocol.relay.Pump;
import dev.agentkernel.protocol.relay.RelaySockets;
import dev.agentkernel.protocol.relay.SocketListener;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * Makes a TCP port on the sandbox's loopback reachable through a Unix socket in the relay directory, the
 * only way in once the runner has a network namespace of its own. Every connection starts with
 * {@link RelaySockets#greeting()} so the kernel can tell a socket we made from one an agent linked in.
 */
public final class UnixRelayListener extends SocketListener {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final Path socket;
    private final InetSocketAddress target;
    /** The inode we bound, so close() never deletes a file someone else put in its place. */
    private final Object fileKey;

    /**
     * Binds {@code socket} (replacing a stale socket or an empty file left there) without accepting yet.
     *
     * @param target the TCP address each connection is forwarded to; must be reachable from inside the sandbox
     * @throws IOException when the path is taken by anything else or cannot be bound
     */
    public UnixRelayListener(Path socket, InetSocketAddress target) throws IOException {
        super(bind(socket), "relay-accept-" + socket.getFileName(), "relay-" + socket.getFileName());
        this.socket = socket;
        this.target = Objects.requireNonNull(target);
        this.fileKey = fileKey(socket);
    }

    private static ServerSocketChannel bind(Path socket) throws IOException {
        removeStale(socket);
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            Pump.closeQuietly(channel);
            throw new IOException("cannot listen on relay socket " + socket + ": " + e.getMessage(), e);
        }
        return channel;
    }

    /**
     * A socket file survives its process, so a restarted runner finds its predecessor's. Only a socket or an
     * empty regular file is ours to remove; anything else (a symlink, a directory, a file with content) may be
     * someone's data or a trap, and is refused. The attributes are read without following links.
     */
    static void removeStale(Path socket) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        boolean stale = isSocket(socket, attrs) || (attrs.isRegularFile() && attrs.size() == 0);
        if (!stale) {
            throw new IOException("relay socket path " + socket + " is taken by a "
                    + (attrs.isSymbolicLink() ? "symbolic link" : attrs.isDirectory() ? "directory" : "non-empty file or device")
                    + ": remove it, the runner only replaces stale sockets");
        }
        Files.deleteIfExists(socket);
    }

    private static boolean isSocket(Path path, BasicFileAttributes attrs) {
        if (!attrs.isOther()) return false;
        try {
            Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return mode instanceof Integer m && (m & S_IFMT) == S_IFSOCK;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return true; // no unix view: "other" is the closest we can tell
        }
    }

    private static Object fileKey(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    public Path socket() {
        return socket;
    }

    public InetSocketAddress target() {
        return target;
    }

    /** On its own thread: the greeting and the connect must not hold up the next accept. */
    @Override
    protected void serve(SocketChannel accepted) throws IOException {
        SocketChannel tcp = null;
        try {
            ByteBuffer greeting = ByteBuffer.wrap(RelaySockets.greeting());
            // a blocking Unix channel may write only part of the buffer
            while (greeting.hasRemaining()) accepted.write(greeting);
            tcp = SocketChannel.open(target);
            if (!connections().add(tcp)) return;
            // Nagle would hold back each small SSE event for up to ~40 ms waiting for an ACK
            tcp.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Pump.run(accepted, tcp);
        } finally {
            // nothing listens on the target any more, or the peer left: the accepted side learns by the close
            connections().close(tcp);
        }
    }

    /** Removes the socket file once the connections have ended (close() stops accepting and ends them first). */
    @Override
    protected void afterClose() {
        try {
            if (fileKey == null || fileKey.equals(fileKey(socket))) {
                Files.deleteIfExists(socket);
            }
        } catch (IOException e) {
            // the directory went away with the sandbox: nothing to clean
        }
    }
}
