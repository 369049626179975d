package dev.agentkernel.runner.net;

import dev.agentkernel.protocol.relay.Pump;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The way out of an isolated network namespace: a TCP port on the sandbox's loopback whose connections are
 * handed to the kernel's proxy on a Unix socket ({@code egress.sock}). HTTP clients cannot dial a Unix socket,
 * but they can all be told to use a proxy at {@code 127.0.0.1:port}; the kernel decides which hosts it lets
 * through, so this side forwards bytes and knows nothing of HTTP.
 */
public final class EgressEntry implements AutoCloseable {
    private final Path kernelSocket;
    private final ServerSocketChannel server;
    private final InetSocketAddress address;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private Thread acceptor;

    /**
     * Binds a free port on 127.0.0.1 without accepting yet. {@code kernelSocket} need not exist yet: it is dialled
     * per connection, so a kernel that starts (or restarts) its proxy later is still found.
     */
    public EgressEntry(Path kernelSocket) throws IOException {
        this.kernelSocket = kernelSocket;
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            this.address = (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            Pump.closeQuietly(channel);
            throw e;
        }
        this.server = channel;
    }

    /** The loopback address clients use as their HTTP proxy. */
    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address().getPort();
    }

    public Path kernelSocket() {
        return kernelSocket;
    }

    /** Starts accepting on a virtual thread; idempotent. */
    public synchronized void start() {
        if (acceptor == null && !closed) {
            acceptor = Thread.ofVirtual().name("egress-accept").start(this::acceptLoop);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel accepted;
            try {
                accepted = server.accept();
            } catch (ClosedChannelException e) {
                return; // close(): the normal way out
            } catch (IOException e) {
                if (closed || !server.isOpen()) return;
                continue;
            }
            Thread.ofVirtual().name("egress").start(() -> relay(accepted));
        }
    }

    private void relay(SocketChannel accepted) {
        open.add(accepted);
        SocketChannel kernel = null;
        try {
            // Nagle would delay the small writes of a TLS handshake and of streamed requests
            accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
            kernel = SocketChannel.open(UnixDomainSocketAddress.of(kernelSocket));
            open.add(kernel);
            if (closed) return;
            Pump.run(accepted, kernel);
        } catch (IOException | RuntimeException e) {
            // no proxy listening: closing the client's connection tells it at once instead of leaving it waiting
        } finally {
            Pump.closeQuietly(accepted);
            Pump.closeQuietly(kernel);
            open.remove(accepted);
            if (kernel != null) open.remove(kernel);
        }
    }

    /** Stops accepting and ends the connections in flight; idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        Pump.closeQuietly(server);
        open.forEach(Pump::closeQuietly);
        awaitAcceptor();
    }

    /**
     * The JDK releases a listening socket only once the thread blocked in accept() has left it: wait for that,
     * so nothing can connect any more when close() returns.
     */
    private void awaitAcceptor() {
        Thread t;
        synchronized (this) {
            t = acceptor;
        }
        if (t == null || t == Thread.currentThread()) return;
        try {
            t.join(java.time.Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
