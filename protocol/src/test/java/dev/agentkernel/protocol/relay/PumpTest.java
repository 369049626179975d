package dev.agentkernel.protocol.relay;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class PumpTest {

    /** A TCP client, pumped to a Unix socket server: bytes arrive intact both ways and half-close passes through. */
    @Test
    void copiesBothWaysAndPassesHalfClose(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("s.sock");
        try (ServerSocketChannel unixServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             ServerSocketChannel tcpServer = ServerSocketChannel.open()) {
            unixServer.bind(UnixDomainSocketAddress.of(sock));
            tcpServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread relay = Thread.ofVirtual().start(() -> {
                try {
                    SocketChannel in = tcpServer.accept();
                    SocketChannel out = SocketChannel.open(UnixDomainSocketAddress.of(sock));
                    Pump.run(in, out);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            // The "server" behind the Unix socket echoes everything reversed in order of chunks, after EOF.
            Thread echo = Thread.ofVirtual().start(() -> {
                try (SocketChannel c = unixServer.accept()) {
                    byte[] all = java.nio.channels.Channels.newInputStream(c).readAllBytes();
                    c.write(ByteBuffer.wrap(("got " + all.length + "\n").getBytes(StandardCharsets.US_ASCII)));
                    ByteBuffer rest = ByteBuffer.wrap(all);
                    while (rest.hasRemaining()) c.write(rest);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] payload = new byte[300_000];
            new Random(7).nextBytes(payload);
            try (SocketChannel client = SocketChannel.open(tcpServer.getLocalAddress())) {
                client.write(ByteBuffer.wrap(payload));
                client.shutdownOutput();
                byte[] reply = client.socket().getInputStream().readAllBytes();
                String head = "got " + payload.length + "\n";
                assertEquals(head, new String(reply, 0, head.length(), StandardCharsets.US_ASCII));
                byte[] body = java.util.Arrays.copyOfRange(reply, head.length(), reply.length);
                assertArrayEquals(payload, body);
            }
            echo.join(5000);
            relay.join(5000);
            assertFalse(relay.isAlive(), "the pump ends once both directions are done");
        }
    }

    /** When one side resets, the other side sees the connection end instead of hanging. */
    @Test
    void anErrorOnOneSideClosesTheOther(@TempDir Path dir) throws Exception {
        try (ServerSocketChannel tcpServer = ServerSocketChannel.open();
             ServerSocketChannel backServer = ServerSocketChannel.open()) {
            tcpServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            backServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel client = SocketChannel.open(tcpServer.getLocalAddress());
            SocketChannel in = tcpServer.accept();
            SocketChannel out = SocketChannel.open(backServer.getLocalAddress());
            SocketChannel back = backServer.accept();
            Thread pump = Thread.ofVirtual().start(() -> Pump.run(in, out));
            back.socket().setSoLinger(true, 0);
            back.close(); // RST
            client.socket().setSoTimeout(5000);
            assertEquals(-1, client.socket().getInputStream().read(), "the client sees the end");
            pump.join(5000);
            assertFalse(pump.isAlive());
            assertFalse(in.isOpen());
            assertFalse(out.isOpen());
            client.close();
        }
    }

    @Test
    void greetingIsRecognisedAndCopied() {
        byte[] g = RelaySockets.greeting();
        assertEquals(RelaySockets.greetingLength(), g.length);
        assertTrue(RelaySockets.isGreeting(g));
        g[0] = 'x';
        assertFalse(RelaySockets.isGreeting(g));
        assertTrue(RelaySockets.isGreeting(RelaySockets.greeting()), "callers get a copy, not the constant");
    }

    /** MAX_PATH_BYTES is what this JDK really binds: one byte more is refused. */
    @Test
    void theSocketPathLimitIsTheOneJavaEnforces() throws Exception {
        Path dir = java.nio.file.Files.createTempDirectory(Path.of("/tmp"), "lim");
        try {
            Path fits = dir.resolve("a".repeat(RelaySockets.MAX_PATH_BYTES - dir.toString().length() - 1));
            Path over = dir.resolve("b".repeat(RelaySockets.MAX_PATH_BYTES - dir.toString().length()));
            try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                s.bind(UnixDomainSocketAddress.of(fits));
            }
            try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                assertThrows(IOException.class, () -> s.bind(UnixDomainSocketAddress.of(over)));
            }
            java.nio.file.Files.deleteIfExists(fits);
        } finally {
            java.nio.file.Files.deleteIfExists(dir);
        }
    }
}
