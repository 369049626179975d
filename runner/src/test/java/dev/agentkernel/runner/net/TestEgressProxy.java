package dev.agentkernel.runner.net;

import dev.agentkernel.protocol.relay.Pump;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The kernel's side of egress.sock, cut down for tests: a plain-http forward proxy (absolute-form only) that
 * records each request line, rewrites it to origin-form and pumps the rest. It asks the origin for
 * {@code Connection: close} so every request arrives on a connection of its own and is recorded.
 */
final class TestEgressProxy implements AutoCloseable {
    private final Path socket;
    private final ServerSocketChannel server;
    private final List<String> requestLines = new CopyOnWriteArrayList<>();

    TestEgressProxy(Path socket) throws IOException {
        this.socket = socket;
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofVirtual().name("test-egress-proxy").start(this::acceptLoop);
    }

    List<String> requestLines() {
        return List.copyOf(requestLines);
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                Thread.ofVirtual().start(() -> handle(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(SocketChannel client) {
        SocketChannel upstream = null;
        try {
            String head = readHead(client);
            String[] lines = head.split("\r\n");
            String requestLine = lines[0];
            requestLines.add(requestLine);
            String[] parts = requestLine.split(" ");
            URI uri = URI.create(parts[1]);
            if (!"http".equalsIgnoreCase(uri.getScheme())) {
                RelayTestSockets.write(client, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                return;
            }
            StringBuilder out = new StringBuilder();
            out.append(parts[0]).append(' ').append(uri.getRawPath())
                    .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()).append(' ').append(parts[2]).append("\r\n");
            for (int i = 1; i < lines.length; i++) {
                String name = lines[i].substring(0, Math.max(0, lines[i].indexOf(':'))).trim().toLowerCase(Locale.ROOT);
                if (!name.equals("connection") && !name.equals("proxy-connection")) out.append(lines[i]).append("\r\n");
            }
            out.append("Connection: close\r\n\r\n");
            upstream = SocketChannel.open(new InetSocketAddress(uri.getHost(), uri.getPort()));
            RelayTestSockets.write(upstream, out.toString());
            Pump.run(client, upstream);
        } catch (IOException | RuntimeException e) {
            Pump.closeQuietly(client);
            Pump.closeQuietly(upstream);
        }
    }

    /** Byte by byte up to the blank line, so the body stays in the channel for the pump. */
    private static String readHead(SocketChannel channel) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (channel.read(one) < 0) throw new IOException("request ended inside its head");
            head.write(one.get(0));
            byte[] b = head.toByteArray();
            int n = b.length;
            if (n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n') {
                return new String(b, 0, n - 4, StandardCharsets.ISO_8859_1);
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}
