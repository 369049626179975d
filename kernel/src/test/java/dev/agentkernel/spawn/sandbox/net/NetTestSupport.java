package dev.agentkernel.spawn.sandbox.net;

import dev.agentkernel.protocol.relay.Pump;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Real sockets for the relay tests: short socket dirs, echo servers, a client that reads exactly what it needs. */
final class NetTestSupport {
    private NetTestSupport() {}

    /** Under /tmp, not JUnit's @TempDir: Unix socket paths must stay under 108 bytes. */
    static Path socketDir() throws IOException {
        return Files.createTempDirectory(Path.of("/tmp"), "akn");
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static void writeFully(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) channel.write(buffer);
    }

    static void writeFully(SocketChannel channel, String ascii) throws IOException {
        writeFully(channel, ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A closed loopback port: bound once to get a free number, then released. */
    static int closedPort() throws IOException {
        try (ServerSocketChannel s = ServerSocketChannel.open()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress) s.getLocalAddress()).getPort();
        }
    }

    static void await(java.util.function.BooleanSupplier condition, Duration within) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("condition not met within " + within);
            Thread.sleep(10);
        }
    }

    /** A client side of a conversation that buffers what it has read past the last answer. */
    static final class Client implements AutoCloseable {
        final SocketChannel channel;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        Client(SocketChannel channel) { this.channel = channel; }

        static Client unix(Path socket) throws IOException {
            return new Client(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
        }

        static Client tcp(int port) throws IOException {
            return new Client(SocketChannel.open(new InetSocketAddress("127.0.0.1", port)));
        }

        Client send(String ascii) throws IOException {
            writeFully(channel, ascii);
            return this;
        }

        Client send(byte[] bytes) throws IOException {
            writeFully(channel, bytes);
            return this;
        }

        /** Everything up to and including {@code delimiter}. */
        String readUntil(String delimiter) throws IOException {
            byte[] d = delimiter.getBytes(StandardCharsets.ISO_8859_1);
            while (true) {
                byte[] have = pending.toByteArray();
                int at = indexOf(have, d);
                if (at >= 0) {
                    take(at + d.length);
                    return new String(have, 0, at + d.length, StandardCharsets.ISO_8859_1);
                }
                if (!fill()) throw new IOException("EOF before '" + delimiter.replace("\r\n", "\\r\\n") + "'; got: "
                        + new String(have, StandardCharsets.ISO_8859_1));
            }
        }

        byte[] readExactly(int n) throws IOException {
            while (pending.size() < n) {
                if (!fill()) throw new IOException("EOF after " + pending.size() + " of " + n + " bytes");
            }
            byte[] have = pending.toByteArray();
            take(n);
            return Arrays.copyOf(have, n);
        }

        /** All the rest, until the other side closes. */
        String readToEnd() throws IOException {
            while (fill()) { }
            String all = pending.toString(StandardCharsets.UTF_8);
            pending.reset();
            return all;
        }

        /** Whether the other side ended the connection (EOF or reset) rather than sending bytes. */
        boolean seesEnd() {
            try {
                return !fill() && pending.size() == 0;
            } catch (IOException reset) {
                return true;
            }
        }

        private boolean fill() throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            int n = channel.read(buffer);
            if (n < 0) return false;
            pending.write(buffer.array(), 0, n);
            return true;
        }

        private void take(int n) {
            byte[] have = pending.toByteArray();
            pending.reset();
            pending.write(have, n, have.length - n);
        }

        private static int indexOf(byte[] hay, byte[] needle) {
            outer:
            for (int i = 0; i + needle.length <= hay.length; i++) {
                for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
                return i;
            }
            return -1;
        }

        @Override
        public void close() { Pump.closeQuietly(channel); }
    }

    /** A server that runs {@code conversation} for each accepted connection, on a virtual thread, then closes it. */
    static final class Server implements AutoCloseable {
        final ServerSocketChannel channel;
        final List<SocketChannel> accepted = new CopyOnWriteArrayList<>();

        private Server(ServerSocketChannel channel, Consumer<SocketChannel> conversation) {
            this.channel = channel;
            Thread.ofVirtual().start(() -> {
                while (channel.isOpen()) {
                    try {
                        SocketChannel c = channel.accept();
                        accepted.add(c);
                        Thread.ofVirtual().start(() -> {
                            try {
                                conversation.accept(c);
                            } finally {
                                Pump.closeQuietly(c);
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        static Server tcp(Consumer<SocketChannel> conversation) throws IOException {
            ServerSocketChannel s = ServerSocketChannel.open();
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return new Server(s, conversation);
        }

        static Server unix(Path socket, Consumer<SocketChannel> conversation) throws IOException {
            ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            s.bind(UnixDomainSocketAddress.of(socket));
            return new Server(s, conversation);
        }

        int port() throws IOException { return ((InetSocketAddress) channel.getLocalAddress()).getPort(); }

        @Override
        public void close() {
            Pump.closeQuietly(channel);
            accepted.forEach(Pump::closeQuietly);
        }
    }

    /** Echoes until EOF. */
    static void echo(SocketChannel c) {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        try {
            while (c.read(buffer.clear()) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) c.write(buffer);
            }
        } catch (IOException ignored) {
            // The test is done with it.
        }
    }

    /** Reads until the peer ends or the channel is closed under us: a listener that never answers. */
    static void holdSilently(SocketChannel c) {
        try {
            while (c.read(ByteBuffer.allocate(1024)) >= 0) { }
        } catch (IOException ignored) {
            // Closed by the test.
        }
    }

    /**
     * A TCP port whose connections are pumped to a Unix socket: lets clients that only speak TCP proxies
     * (OkHttp) use the egress proxy.
     */
    static Server tcpToUnix(Path unixSocket) throws IOException {
        return Server.tcp(c -> {
            try {
                Pump.run(c, SocketChannel.open(UnixDomainSocketAddress.of(unixSocket)));
            } catch (IOException e) {
                // Proxy gone: the client sees the connection end.
            }
        });
    }
}
