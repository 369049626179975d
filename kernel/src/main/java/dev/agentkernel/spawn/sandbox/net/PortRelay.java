package dev.agentkernel.spawn.sandbox.net;

import dev.agentkernel.protocol.relay.Pump;
import dev.agentkernel.protocol.relay.RelaySockets;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The way in to a sandboxed runner: listens on {@code 127.0.0.1:<port>} on the host and relays each
 * connection to the runner's Unix socket, so clients keep using {@code http://127.0.0.1:<port>}.
 *
 * <p>The runner's side must open every connection with {@link RelaySockets#greeting()}. The agent can replace
 * its socket with a link to any other socket of the host; without the greeting check the kernel would then
 * hand that socket to whoever connects to the port.
 */
public final class PortRelay implements AutoCloseable {
    static final Duration GREETING_TIMEOUT = Duration.ofSeconds(5);

    private final ServerSocketChannel server;
    private final int port;
    private final Path socket;
    private final Duration greetingTimeout;
    private final Connections connections = new Connections();
    private final AtomicBoolean closed = new AtomicBoolean();
    /**
     * The accepting thread. The JDK releases a listening socket's file descriptor only once the thread blocked
     * in accept() has left it, so close() waits for it: the port (or socket) is free when close() returns.
     */
    private volatile Thread acceptor;
    private final LongAdder rejected = new LongAdder();

    private PortRelay(ServerSocketChannel server, int port, Path socket, Duration greetingTimeout) {
        this.server = server;
        this.port = port;
        this.socket = socket;
        this.greetingTimeout = greetingTimeout;
    }

    /**
     * Listens on 127.0.0.1:{@code hostPort} (0: any free port) and relays to {@code socket}, which need not exist
     * yet: until it does, connections are closed at once.
     *
     * @throws BindException if the port is taken, so the caller can pick another
     */
    public static PortRelay open(int hostPort, Path socket) throws IOException {
        return open(hostPort, socket, GREETING_TIMEOUT);
    }

    static PortRelay open(int hostPort, Path socket, Duration greetingTimeout) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            // Relayed connections we close linger in TIME_WAIT; a relay reopened on the same port must not trip on them.
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress("127.0.0.1", hostPort));
        } catch (BindException e) {
            Pump.closeQuietly(server);
            BindException named = new BindException("127.0.0.1:" + hostPort + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        } catch (IOException e) {
            Pump.closeQuietly(server);
            throw e;
        }
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        PortRelay relay = new PortRelay(server, port, socket, greetingTimeout);
        relay.acceptor = Thread.ofVirtual().name("relay-accept-" + port).start(relay::acceptLoop);
        return relay;
    }

    /** The host port it listens on. */
    public int port() { return port; }

    public Path socket() { return socket; }

    /** Connections dropped because the socket's listener did not greet: it is not the runner's relay. */
    public long rejectedPeers() { return rejected.sum(); }

    /** Stops accepting and ends every relayed connection. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        Pump.closeQuietly(server);
        connections.closeAll();
        awaitAcceptor();
    }

    private void acceptLoop() {
        while (!closed.get()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (closed.get() || !server.isOpen()) return;
                pause(); // e.g. out of file descriptors: do not spin
                continue;
            }
            if (!connections.add(client)) return;
            Thread.ofVirtual().name("relay-" + port).start(() -> relay(client));
        }
    }

    private void relay(SocketChannel client) {
        SocketChannel runner = null;
        try {
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            runner = SocketChannel.open(StandardProtocolFamily.UNIX);
            if (!connections.add(runner)) return;
            boolean greeted;
            SocketChannel peer = runner;
            // Covers the connect too: a listener that never accepts leaves it blocked.
            try (Deadline ignored = Deadline.start(greetingTimeout, () -> Pump.closeQuietly(peer))) {
                try {
                    runner.connect(UnixDomainSocketAddress.of(socket));
                } catch (IOException e) {
                    return; // no runner yet (starting) or no more: a health probe must fail now, not in 5 s
                }
                greeted = greeted(runner);
            }
            if (!greeted) {
                if (!closed.get()) rejected.increment();
                return;
            }
            Pump.run(client, runner);
        } catch (IOException e) {
            // The client hung up or the relay is closing.
        } finally {
            connections.close(client);
            connections.close(runner);
        }
    }

    private static boolean greeted(SocketChannel runner) {
        ByteBuffer greeting = ByteBuffer.allocate(RelaySockets.greetingLength());
        try {
            while (greeting.hasRemaining()) {
                if (runner.read(greeting) < 0) return false;
            }
        } catch (IOException e) {
            return false; // includes the deadline closing the channel
        }
        return RelaySockets.isGreeting(greeting.array());
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Channels open right now (both ends of each relayed connection), to check that none leak. */
    int liveChannels() { return connections.size(); }

    @Override
    public String toString() { return "PortRelay(127.0.0.1:" + port + " -> " + socket + ")"; }

    private void awaitAcceptor() {
        Thread t = acceptor;
        if (t == null || t == Thread.currentThread()) return;
        try {
            t.join(java.time.Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
