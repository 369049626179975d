package dev.agentkernel.spawn.sandbox.net;

import dev.agentkernel.protocol.relay.Connections;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/** Opens the proxy's TCP connection to an allowed target, resolving its name on the host. */
final class Dialer {
    /** Longest response head an upstream proxy may send to a CONNECT. */
    static final int MAX_UPSTREAM_HEAD = 16 * 1024;

    private Dialer() {}

    /**
     * Through the corporate proxy ({@code HTTPS_PROXY}/{@code HTTP_PROXY} of the kernel's environment) when
     * {@code upstream} is one: a CONNECT tunnel to {@code target} is opened there and returned, so the caller writes
     * to it as to the target itself. Plain-http targets go through CONNECT too (one code path; the LLM endpoints
     * are https anyway).
     *
     * @throws IOException naming the upstream proxy and its answer when it refuses the tunnel
     */
    static SocketChannel connect(HostPort target, Duration timeout, Connections connections, java.net.Proxy upstream) throws IOException {
        if (upstream == null || upstream.type() != java.net.Proxy.Type.HTTP) return connect(target, timeout, connections);
        InetSocketAddress proxyAddress = (InetSocketAddress) upstream.address();
        HostPort proxy = new HostPort(proxyAddress.getHostString(), proxyAddress.getPort());
        SocketChannel channel = connect(proxy, timeout, connections);
        try {
            String authority = target.toString();
            channel.write(java.nio.ByteBuffer.wrap(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority
                    + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            java.net.Socket socket = channel.socket();
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            java.io.InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            // Byte by byte up to the blank line: nothing after it may be consumed, it belongs to the tunnel.
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) throw new IOException("the upstream proxy " + proxy + " closed the connection before answering CONNECT " + authority);
                head.append((char) b);
                if (head.length() > MAX_UPSTREAM_HEAD) throw new IOException("the upstream proxy " + proxy + " sent a response head over " + MAX_UPSTREAM_HEAD + " bytes");
            }
            socket.setSoTimeout(0);
            String status = head.substring(0, head.indexOf("\r\n"));
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].equals("200")) {
                throw new IOException("the upstream proxy " + proxy + " (HTTPS_PROXY/HTTP_PROXY) refused CONNECT " + authority + ": " + status);
            }
            return channel;
        } catch (java.net.SocketTimeoutException e) {
            connections.close(channel);
            throw new SocketTimeoutException("the upstream proxy " + proxy + " did not answer CONNECT " + target + " within " + timeout.toSeconds() + " s");
        } catch (IOException | RuntimeException e) {
            connections.close(channel);
            throw e;
        }
    }

    /**
     * Tries each address of the target in turn within {@code timeout} in all. The channel is tracked in
     * {@code connections} from the start, so closing the proxy also aborts a connect in progress.
     *
     * @throws java.net.UnknownHostException if the name does not resolve
     */
    static SocketChannel connect(HostPort target, Duration timeout, Connections connections) throws IOException {
        InetAddress[] addresses = InetAddress.getAllByName(target.host());
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        for (InetAddress address : addresses) {
            long leftMillis = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
            if (leftMillis <= 0) break;
            SocketChannel channel = SocketChannel.open();
            if (!connections.add(channel)) throw new ClosedChannelException();
            try {
                channel.socket().connect(new InetSocketAddress(address, target.port()), (int) Math.min(leftMillis, Integer.MAX_VALUE));
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                return channel;
            } catch (IOException e) {
                connections.close(channel);
                last = e;
            }
        }
        throw last != null ? last : new SocketTimeoutException("no answer within " + timeout.toSeconds() + " s");
    }
}
