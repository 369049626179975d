package dev.agentkernel.runner.net;

import dev.agentkernel.protocol.relay.RelaySockets;
import dev.agentkernel.runner.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static dev.agentkernel.runner.net.RelayTestSockets.*;
import static org.junit.jupiter.api.Assertions.*;

class UnixRelayListenerTest {
    @TempDir
    Path tmp;
    Path relay;
    TestRunner agent;

    @BeforeEach
    void setUp() throws IOException {
        relay = relayDir();
        agent = TestRunner.start(tmp.resolve("agent"), TestRunner.config("anthropic", "http://127.0.0.1:9", c -> { }));
    }

    @AfterEach
    void tearDown() {
        if (agent != null) agent.close();
        deleteTree(relay);
    }

    private InetSocketAddress runnerAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), agent.runner.port());
    }

    private UnixRelayListener listen() throws IOException {
        UnixRelayListener listener = new UnixRelayListener(relay.resolve(RelaySockets.HTTP), runnerAddress());
        listener.start();
        return listener;
    }

    private static String health(Path socket) throws IOException {
        try (SocketChannel c = connect(socket)) {
            assertEquals("agentkernel-relay 1\n", readGreeting(c), "the greeting comes before any HTTP");
            write(c, "GET /health HTTP/1.1\r\nHost: runner\r\nConnection: close\r\n\r\n");
            return readToEnd(c);
        }
    }

    @Test
    void aConnectionGetsTheGreetingThenTalksHttpToTheRunner() throws IOException {
        try (UnixRelayListener ignored = listen()) {
            String response = health(relay.resolve(RelaySockets.HTTP));
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            // a second connection works as well: the accept loop goes on
            assertTrue(health(relay.resolve(RelaySockets.HTTP)).startsWith("HTTP/1.1 200"));
        }
    }

    @Test
    void aStaleSocketOrEmptyFileIsReplaced() throws IOException {
        Path socket = relay.resolve(RelaySockets.HTTP);
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(socket)); // closing does not remove the file: a stale socket
        }
        assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
        try (UnixRelayListener ignored = listen()) {
            assertTrue(health(socket).startsWith("HTTP/1.1 200"));
        }
        Files.createFile(socket);
        try (UnixRelayListener ignored = listen()) {
            assertTrue(health(socket).startsWith("HTTP/1.1 200"));
        }
    }

    @Test
    void aSymlinkOrAFileWithContentIsNeverRemoved() throws IOException {
        Path socket = relay.resolve(RelaySockets.HTTP);
        Path precious = tmp.resolve("precious.txt");
        Files.writeString(precious, "keep me");
        Files.createSymbolicLink(socket, precious);
        IOException e = assertThrows(IOException.class, this::listen);
        assertTrue(e.getMessage().contains("symbolic link") && e.getMessage().contains(socket.toString()), e.getMessage());
        assertTrue(Files.isSymbolicLink(socket));
        assertEquals("keep me", Files.readString(precious));

        Files.delete(socket);
        Files.writeString(socket, "data");
        assertThrows(IOException.class, this::listen);
        assertEquals("data", Files.readString(socket));
    }

    @Test
    void closeRemovesTheSocketAndRefusesFurtherConnections() throws IOException {
        Path socket = relay.resolve(RelaySockets.HTTP);
        UnixRelayListener listener = listen();
        assertTrue(health(socket).startsWith("HTTP/1.1 200"));
        listener.close();
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
        assertThrows(IOException.class, () -> connect(socket).close());
        listener.close(); // idempotent
    }

    @Test
    void closeLeavesAFileThatReplacedTheSocket() throws IOException {
        Path socket = relay.resolve(RelaySockets.HTTP);
        UnixRelayListener listener = listen();
        Path other = relay.resolve("other");
        Files.writeString(other, "someone else's");
        Files.move(other, socket, StandardCopyOption.REPLACE_EXISTING);
        listener.close();
        assertEquals("someone else's", Files.readString(socket));
    }

    @Test
    void whenNothingListensOnThePortTheConnectionIsClosedAfterTheGreeting() throws IOException {
        int freePort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            freePort = s.getLocalPort();
        }
        Path socket = relay.resolve(RelaySockets.BUS);
        try (UnixRelayListener listener = new UnixRelayListener(socket, new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort));
             SocketChannel c = connectAfterStart(listener)) {
            assertEquals("agentkernel-relay 1\n", readGreeting(c));
            assertEquals("", readToEnd(c));
        }
    }

    private static SocketChannel connectAfterStart(UnixRelayListener listener) throws IOException {
        listener.start();
        return connect(listener.socket());
    }
}
