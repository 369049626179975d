package dev.agentkernel.runner.net;

import dev.agentkernel.protocol.relay.RelaySockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.agentkernel.runner.net.RelayTestSockets.*;
import static org.junit.jupiter.api.Assertions.*;

class EgressEntryTest {
    Path relay;

    @BeforeEach
    void setUp() throws IOException {
        relay = relayDir();
    }

    @AfterEach
    void tearDown() {
        deleteTree(relay);
    }

    @Test
    void bytesFlowBothWaysBetweenTheTcpClientAndTheKernelsSocket() throws Exception {
        Path kernelSocket = relay.resolve(RelaySockets.EGRESS);
        try (ServerSocketChannel kernel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             EgressEntry entry = new EgressEntry(kernelSocket)) {
            kernel.bind(UnixDomainSocketAddress.of(kernelSocket));
            entry.start();
            assertTrue(entry.address().getAddress().isLoopbackAddress());
            CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel c = kernel.accept()) {
                    String request = new String(readN(c, 13), StandardCharsets.US_ASCII);
                    write(c, "pong from kernel");
                    return request;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), entry.port())) {
                client.setSoTimeout(10_000);
                client.getOutputStream().write("CONNECT x:443".getBytes(StandardCharsets.US_ASCII));
                assertEquals("CONNECT x:443", seen.get(10, TimeUnit.SECONDS));
                assertEquals("pong from kernel", new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII),
                        "the kernel's close ends the client's stream too");
            }
        }
    }

    @Test
    void withoutTheKernelsSocketTheClientIsClosedRatherThanLeftWaiting() throws Exception {
        try (EgressEntry entry = new EgressEntry(relay.resolve(RelaySockets.EGRESS))) {
            entry.start();
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), entry.port())) {
                client.setSoTimeout(10_000);
                client.getOutputStream().write("GET http://example.com/ HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(-1, readOrReset(client.getInputStream()));
            }
        }
    }

    /** -1 for an orderly close; a reset counts as closed too. A timeout fails the test. */
    private static int readOrReset(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection was left open", e);
        } catch (SocketException e) {
            return -1;
        }
    }

    @Test
    void closeStopsAcceptingAndIsIdempotent() throws Exception {
        EgressEntry entry = new EgressEntry(relay.resolve(RelaySockets.EGRESS));
        entry.start();
        int port = entry.port();
        entry.close();
        entry.close();
        assertThrows(IOException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
    }
}
