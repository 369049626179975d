package dev.agentkernel.protocol.relay;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * A listening socket whose connections are each served on a virtual thread: the accept loop, the channels in
 * flight (so closing the listener ends every conversation it relays) and a {@link #close()} that returns only once
 * the listening socket is released. The relays on both sides of a sandbox (the runner's {@code EgressEntry} and
 * {@code UnixRelayListener}, the kernel's {@code EgressProxy} and {@code PortRelay}) differ only in
 * {@link #serve what they do with a connection}.
 */
public abstract class SocketListener implements AutoCloseable {
    private final ServerSocketChannel server;
    private final String acceptorName;
    private final String connectionName;
    private final Connections connections = new Connections();
    private volatile boolean closed;
    /**
     * The accepting thread. The JDK releases a listening socket's file descriptor only once the thread blocked
     * in accept() has left it, so close() waits for it: the port (or socket) is free when close() returns.
     */
    private Thread acceptor;

    /** {@code server} is bound; the names are those of the accepting thread and of each connection's thread. */
    protected SocketListener(ServerSocketChannel server, String acceptorName, String connectionName) {
        this.server = server;
        this.acceptorName = acceptorName;
        this.connectionName = connectionName;
    }

    /** Starts accepting on a virtual thread; idempotent, and nothing once closed. */
    public final synchronized void start() {
        if (acceptor == null && !closed) {
            acceptor = Thread.ofVirtual().name(acceptorName).start(this::acceptLoop);
        }
    }

    /**
     * Serves one accepted connection on its own thread. {@code accepted} is tracked already and closed after this
     * returns; other channels opened for it go through {@link #connections()} so that {@link #close()} ends them too.
     * An {@link IOException} or a runtime exception means the peer left or the listener is closing: it ends the
     * connection and nothing else.
     */
    protected abstract void serve(SocketChannel accepted) throws IOException;

    /** What {@link #close()} does after every connection has ended, e.g. removing the socket file. */
    protected void afterClose() {}

    /** The channels in flight, both ends of each relayed connection. */
    protected final Connections connections() {
        return connections;
    }

    protected final boolean isClosed() {
        return closed;
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
                pause(); // one failed accept (e.g. out of file descriptors) must neither end the listener nor spin
                continue;
            }
            if (!connections.add(accepted)) return;
            Thread.ofVirtual().name(connectionName).start(() -> {
                try {
                    serve(accepted);
                } catch (IOException | RuntimeException e) {
                    // the peer left, the far side is gone, or the listener is closing: closing tells the peer
                } finally {
                    connections.close(accepted);
                }
            });
        }
    }

    /** Stops accepting and ends every connection in flight, then {@link #afterClose()}; idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        Pump.closeQuietly(server);
        connections.closeAll();
        awaitAcceptor();
        afterClose();
    }

    private void awaitAcceptor() {
        Thread t;
        synchronized (this) {
            t = acceptor;
        }
        if (t == null || t == Thread.currentThread()) return;
        try {
            t.join(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
