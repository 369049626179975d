package dev.agentkernel.runner.net;

import dev.agentkernel.protocol.relay.Pump;
import dev.agentkernel.protocol.relay.SocketListener;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The way out of an isolated network namespace: a TCP port on the sandbox's loopback whose connections are
 * handed to the kernel's proxy on a Unix socket ({@code egress.sock}). HTTP clients cannot dial a Unix socket,
 * but they can all be told to use a proxy at {@code 127.0.0.1:port}; the kernel decides which hosts it lets
 * through, so this side forwards bytes and knows nothing of HTTP.
 */
public final class EgressEntry extends SocketListener {
    private final Path kernelSocket;
    private final InetSocketAddress address;

    /**
     * Binds a free port on 127.0.0.1 without accepting yet. {@code kernelSocket} need not exist yet: it is dialled
     * per connection, so a kernel that starts (or restarts) its proxy later is still found.
     */
    public EgressEntry(Path kernelSocket) throws IOException {
        this(kernelSocket, bindLoopback());
    }

    private EgressEntry(Path kernelSocket, ServerSocketChannel server) throws IOException {
        super(server, "egress-accept", "egress");
        this.kernelSocket = kernelSocket;
        this.address = (InetSocketAddress) server.getLocalAddress();
    }

    private static ServerSocketChannel bindLoopback() throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            Pump.closeQuietly(channel);
            throw e;
        }
        return channel;
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

    @Override
    protected void serve(SocketChannel accepted) throws IOException {
        SocketChannel kernel = null;
        try {
            // Nagle would delay the small writes of a TLS handshake and of streamed requests
            accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
            kernel = SocketChannel.open(UnixDomainSocketAddress.of(kernelSocket));
            if (!connections().add(kernel)) return;
            Pump.run(accepted, kernel);
        } finally {
            // no proxy listening: closing the client's connection tells it at once instead of leaving it waiting
            connections().close(kernel);
        }
    }
}
