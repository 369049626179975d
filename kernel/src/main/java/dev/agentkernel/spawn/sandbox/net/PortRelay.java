package dev.agentkernel.spawn.sandbox.net;

import dev.agentkernel.protocol.relay.Pump;
import dev.agentkernel.protocol.relay.SocketListener;
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
import java.util.concurrent.atomic.LongAdder;

/**
 * The way in to a sandboxed runner: listens on {@code 127.0.0.1:<port>} on the host and relays each
 * connection to the runner's Unix socket, so clients keep using {@code http://127.0.0.1:<port>}.
 *
 * <p>The runner's side must open every connection with {@link RelaySockets#greeting()}. The agent can replace
 * its socket with a link to any other socket of the host; without the greeting check the kernel would then
 * hand that socket to whoever connects to the port.
 */
public final class PortRelay extends SocketListener {
    static final Duration GREETING_TIMEOUT = Duration.ofSeconds(5);

    private final int port;
    private final Path socket;
    private final Duration greetingTimeout;
    private final LongAdder rejected = new LongAdder();

    private PortRelay(ServerSocketChannel server, int port, Path socket, Duration greetingTimeout) {
        super(server, "relay-accept-" + port, "relay-" + port);
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
        relay.start();
        return relay;
    }

    /** The host port it listens on. */
    public int port() { return port; }

    public Path socket() { return socket; }

    /** Connections dropped because the socket's listener did not greet: it is not the runner's relay. */
    public long rejectedPeers() { return rejected.sum(); }

    @Override
    protected void serve(SocketChannel client) {
        SocketChannel runner = null;
        try {
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            runner = SocketChannel.open(StandardProtocolFamily.UNIX);
            if (!connections().add(runner)) return;
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
                if (!isClosed()) rejected.increment();
                return;
            }
            Pump.run(client, runner);
        } catch (IOException e) {
            // The client hung up or the relay is closing.
        } finally {
            connections().close(runner);
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

    /** Channels open right now (both ends of each relayed connection), to check that none leak. */
    int liveChannels() { return connections().size(); }

    @Override
    public String toString() { return "PortRelay(127.0.0.1:" + port + " -> " + socket + ")"; }

}
