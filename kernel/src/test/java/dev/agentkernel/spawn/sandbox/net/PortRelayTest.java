package dev.agentkernel.spawn.sandbox.net;

import dev.agentkernel.protocol.relay.RelaySockets;
import dev.agentkernel.spawn.sandbox.net.NetTestSupport.Client;
import dev.agentkernel.spawn.sandbox.net.NetTestSupport.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static dev.agentkernel.spawn.sandbox.net.NetTestSupport.await;
import static org.junit.jupiter.api.Assertions.*;

class PortRelayTest {
    private static final Duration SHORT_GREETING_WAIT = Duration.ofMillis(200);

    private Path dir;
    private Path sock;

    @BeforeEach
    void setUp() throws IOException {
        dir = NetTestSupport.socketDir();
        sock = dir.resolve("http.sock");
    }

    @AfterEach
    void tearDown() throws IOException {
        NetTestSupport.deleteTree(dir);
    }

    /** The runner's side of the relay: greets, then echoes. */
    private static void greetThenEcho(SocketChannel c) {
        try {
            NetTestSupport.writeFully(c, RelaySockets.greeting());
        } catch (IOException e) {
            return;
        }
        NetTestSupport.echo(c);
    }

    @Test
    void relaysATcpClientToAGreetingUnixServer() throws Exception {
        try (Server runner = Server.unix(sock, PortRelayTest::greetThenEcho);
             PortRelay relay = PortRelay.open(0, sock);
             Client client = Client.tcp(relay.port())) {
            assertTrue(relay.port() > 0);
            client.send("hello|");
            assertEquals("hello|", client.readUntil("|"), "the greeting is consumed by the relay, not passed on");
            byte[] big = new byte[250_000];
            new java.util.Random(11).nextBytes(big);
            client.send(big);
            assertArrayEquals(big, client.readExactly(big.length));
            assertEquals(0, relay.rejectedPeers());
            assertEquals(2, relay.liveChannels(), "the client's and the runner's end");
            client.close();
            await(() -> relay.liveChannels() == 0, Duration.ofSeconds(5));
        }
    }

    @Test
    void peerThatAnswersWithoutTheGreetingIsCutOff() throws Exception {
        // The agent swapped its socket for a link to some other service of the host that speaks first.
        Path other = dir.resolve("other.sock");
        try (Server service = Server.unix(other, c -> {
                 try {
                     NetTestSupport.writeFully(c, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret");
                 } catch (IOException ignored) {
                     return;
                 }
                 NetTestSupport.holdSilently(c);
             });
             PortRelay relay = PortRelay.open(0, sock, SHORT_GREETING_WAIT)) {
            Files.createSymbolicLink(sock, other);
            try (Client client = Client.tcp(relay.port())) {
                assertTrue(client.seesEnd(), "nothing of the other service reaches the client");
            }
            await(() -> relay.rejectedPeers() == 1, Duration.ofSeconds(5));
            await(() -> relay.liveChannels() == 0, Duration.ofSeconds(5));
            await(() -> service.accepted.stream().noneMatch(SocketChannel::isOpen), Duration.ofSeconds(5));
        }
    }

    @Test
    void peerThatStaysSilentIsCutOffAfterTheGreetingWait() throws Exception {
        try (Server silent = Server.unix(sock, NetTestSupport::holdSilently);
             PortRelay relay = PortRelay.open(0, sock, SHORT_GREETING_WAIT);
             Client client = Client.tcp(relay.port())) {
            long start = System.nanoTime();
            client.send("GET / HTTP/1.1\r\n\r\n");
            assertTrue(client.seesEnd());
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(millis >= 150 && millis < 4000, "cut off after the greeting wait, took " + millis + " ms");
            await(() -> relay.rejectedPeers() == 1, Duration.ofSeconds(5));
        }
    }

    @Test
    void missingSocketClosesTheClientAtOnce() throws Exception {
        try (PortRelay relay = PortRelay.open(0, sock);
             Client client = Client.tcp(relay.port())) {
            long start = System.nanoTime();
            assertTrue(client.seesEnd());
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(millis < 2000, "closed at once, not after the 5 s greeting wait: " + millis + " ms");
            assertEquals(0, relay.rejectedPeers(), "no peer, so none rejected");
        }
    }

    @Test
    void takenPortIsABindException() throws Exception {
        try (ServerSocketChannel taken = ServerSocketChannel.open()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            BindException e = assertThrows(BindException.class, () -> PortRelay.open(port, sock));
            assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        }
    }

    @Test
    void closeEndsLiveConnectionsAndFreesThePort() throws Exception {
        try (Server runner = Server.unix(sock, PortRelayTest::greetThenEcho)) {
            PortRelay relay = PortRelay.open(0, sock);
            int port = relay.port();
            try (Client client = Client.tcp(port)) {
                client.send("ping|");
                assertEquals("ping|", client.readUntil("|"));
                relay.close();
                assertTrue(client.seesEnd(), "the relayed connection ends with the relay");
                relay.close(); // idempotent
            }
            await(() -> runner.accepted.stream().noneMatch(SocketChannel::isOpen), Duration.ofSeconds(5));
            try (PortRelay again = PortRelay.open(port, sock);
                 Client client = Client.tcp(port)) {
                assertEquals(port, again.port());
                client.send("pong|");
                assertEquals("pong|", client.readUntil("|"));
            }
        }
    }
}
