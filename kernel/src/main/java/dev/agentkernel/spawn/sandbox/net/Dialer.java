package dev.agentkernel.spawn.sandbox.net;

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
    private Dialer() {}

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
