package dev.agentkernel.spawn.sandbox.net;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentkernel.spawn.sandbox.net.NetTestSupport.Client;
import dev.agentkernel.spawn.sandbox.net.NetTestSupport.Server;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.agentkernel.spawn.sandbox.net.NetTestSupport.await;
import static org.junit.jupiter.api.Assertions.*;

class EgressProxyTest {
    private static final String LABEL = "tester (a1)";

    private Path dir;
    private Path sock;
    private Server echo;
    private HttpServer http;
    /** What the HTTP server saw, by request path: the raw URI and the request headers. */
    private final Map<String, String> seenUri = new ConcurrentHashMap<>();
    private final Map<String, com.sun.net.httpserver.Headers> seenHeaders = new ConcurrentHashMap<>();
    private final List<String> denials = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        dir = NetTestSupport.socketDir();
        sock = dir.resolve("egress.sock");
        echo = Server.tcp(NetTestSupport::echo);
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", this::answer);
        http.start();
    }

    @AfterEach
    void tearDown() throws IOException {
        echo.close();
        http.stop(0);
        NetTestSupport.deleteTree(dir);
    }

    private void answer(HttpExchange exchange) throws IOException {
        byte[] requestBody = exchange.getRequestBody().readAllBytes();
        seenUri.put(exchange.getRequestURI().getPath(), exchange.getRequestURI().toString());
        seenHeaders.put(exchange.getRequestURI().getPath(), exchange.getRequestHeaders());
        byte[] body = (exchange.getRequestMethod() + " " + exchange.getRequestURI() + " body=" + requestBody.length
                + (requestBody.length > 0 && requestBody.length < 100 ? " " + new String(requestBody, StandardCharsets.UTF_8) : ""))
                .getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private EgressProxy open(String... allow) throws IOException {
        return EgressProxy.open(sock, EgressAllowList.of(List.of(allow)), LABEL, denials::add);
    }

    private int httpPort() { return http.getAddress().getPort(); }

    @Test
    void connectToAnAllowedHostTunnelsIncludingBytesSentWithTheHead() throws Exception {
        int port = echo.port();
        try (EgressProxy proxy = open("127.0.0.1:" + port);
             Client client = Client.unix(sock)) {
            client.send("CONNECT 127.0.0.1:" + port + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\nearly bytes|");
            assertEquals("HTTP/1.1 200 Connection Established\r\n\r\n", client.readUntil("\r\n\r\n"));
            assertEquals("early bytes|", client.readUntil("|"));
            client.send("and later ones|");
            assertEquals("and later ones|", client.readUntil("|"));
            byte[] big = new byte[200_000];
            new java.util.Random(3).nextBytes(big);
            client.send(big);
            assertArrayEquals(big, client.readExactly(big.length));
            assertEquals(1, proxy.allowedCount());
            assertEquals(0, proxy.deniedCount());
        }
    }

    @Test
    void connectToADisallowedPortIsForbiddenWithTheTargetAndTheAllowList() throws Exception {
        int port = echo.port();
        int other = NetTestSupport.closedPort();
        try (EgressProxy proxy = open("127.0.0.1:" + port, "*.example.com:443");
             Client client = Client.unix(sock)) {
            String response = client.send("CONNECT 127.0.0.1:" + other + " HTTP/1.1\r\n\r\n").readToEnd();
            assertTrue(response.startsWith("HTTP/1.1 403 Forbidden\r\n"), response);
            assertTrue(response.contains("\r\nContent-Type: text/plain; charset=utf-8\r\n"), response);
            assertTrue(response.contains("\r\nConnection: close\r\n"), response);
            String body = response.substring(response.indexOf("\r\n\r\n") + 4);
            assertTrue(response.contains("\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n"), response);
            assertEquals("agentkernel sandbox: agent " + LABEL + " may not reach 127.0.0.1:" + other + "; it may reach: 127.0.0.1:"
                    + port + ", *.example.com:443. Allow more hosts with `sandbox: {allow: [\"127.0.0.1:" + other
                    + "\"]}` in the kernel config (docs/sandbox.md).\n", body);
            assertEquals(1, proxy.deniedCount());
            assertEquals(0, proxy.allowedCount());
            assertEquals(1, denials.size());
            assertTrue(denials.getFirst().startsWith("127.0.0.1:" + other + " (CONNECT; agent " + LABEL + " may reach: 127.0.0.1:" + port),
                    denials.getFirst());
        }
    }

    @Test
    void absoluteFormGetReachesTheServerInOriginFormWithoutProxyHeaders() throws Exception {
        int port = httpPort();
        try (EgressProxy proxy = open("127.0.0.1:" + port);
             Client client = Client.unix(sock)) {
            String response = client.send("GET http://127.0.0.1:" + port + "/x?y=1 HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nProxy-Connection: keep-alive\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\nX-Test: kept\r\n\r\n").readToEnd();
            assertTrue(response.startsWith("HTTP/1.1 200 "), response);
            assertTrue(response.endsWith("GET /x?y=1 body=0"), response);
            assertEquals("/x?y=1", seenUri.get("/x"));
            var headers = seenHeaders.get("/x");
            assertNull(headers.getFirst("Proxy-Connection"));
            assertNull(headers.getFirst("Proxy-Authorization"));
            assertEquals("kept", headers.getFirst("X-Test"));
            assertEquals("127.0.0.1:" + port, headers.getFirst("Host"));
            assertEquals(1, proxy.allowedCount());
        }
    }

    @Test
    void absoluteFormPostCarriesItsBody() throws Exception {
        int port = httpPort();
        byte[] body = new byte[300_000];
        java.util.Arrays.fill(body, (byte) 'b');
        try (EgressProxy proxy = open("127.0.0.1:" + port)) {
            try (Client client = Client.unix(sock)) {
                // Head and the start of the body in one write: the proxy must forward what it read past the head.
                client.send("POST http://127.0.0.1:" + port + "/upload HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nContent-Length: " + body.length + "\r\n\r\n" + "b".repeat(1000));
                client.send(java.util.Arrays.copyOf(body, body.length - 1000));
                String response = client.readToEnd();
                assertTrue(response.startsWith("HTTP/1.1 200 "), response);
                assertTrue(response.endsWith("POST /upload body=" + body.length), response);
            }
            try (Client client = Client.unix(sock)) {
                String response = client.send("POST http://127.0.0.1:" + port + "/small HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world")
                        .readToEnd();
                assertTrue(response.endsWith("POST /small body=11 hello world"), response);
            }
            assertEquals(2, proxy.allowedCount());
            await(() -> proxy.liveChannels() == 0, Duration.ofSeconds(5));
        }
    }

    @Test
    void okHttpThroughTheProxyReachesAllowedHostsAndGets403ForOthers() throws Exception {
        int port = httpPort();
        int other = NetTestSupport.closedPort();
        try (EgressProxy proxy = open("127.0.0.1:" + port);
             Server forwarder = NetTestSupport.tcpToUnix(sock)) {
            OkHttpClient client = new OkHttpClient.Builder()
                    .proxy(new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", forwarder.port())))
                    .callTimeout(10, TimeUnit.SECONDS)
                    .build();
            try {
                try (Response ok = client.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/via-okhttp?q=2").build()).execute()) {
                    assertEquals(200, ok.code());
                    assertEquals("GET /via-okhttp?q=2 body=0", ok.body().string());
                }
                try (Response again = client.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/second").build()).execute()) {
                    assertEquals(200, again.code());
                }
                try (Response no = client.newCall(new Request.Builder().url("http://127.0.0.1:" + other + "/").build()).execute()) {
                    assertEquals(403, no.code());
                    assertTrue(no.body().string().contains("may not reach 127.0.0.1:" + other), "403 body names the target");
                }
            } finally {
                client.dispatcher().executorService().shutdown();
                client.connectionPool().evictAll();
            }
            assertEquals(2, proxy.allowedCount());
            assertEquals(1, proxy.deniedCount());
            await(() -> proxy.liveChannels() == 0, Duration.ofSeconds(5));
        }
    }

    @Test
    void malformedRequestsGet400SayingAProxyRequestIsExpected() throws Exception {
        int port = httpPort();
        try (EgressProxy proxy = open("127.0.0.1:" + port)) {
            for (String request : List.of(
                    "HELLO\r\n\r\n",
                    "GET /x HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n",
                    "GET https://127.0.0.1:" + port + "/x HTTP/1.1\r\n\r\n",
                    "CONNECT 127.0.0.1 HTTP/1.1\r\n\r\n",
                    "GET ftp://127.0.0.1:" + port + "/ HTTP/1.1\r\n\r\n",
                    "GET http://127.0.0.1:" + port + "/ HTTP/2.0\r\n\r\n",
                    "GET http://127.0.0.1:" + port + "/ HTTP/1.1\r\nno colon here\r\n\r\n")) {
                try (Client client = Client.unix(sock)) {
                    String response = client.send(request).readToEnd();
                    assertTrue(response.startsWith("HTTP/1.1 400 Bad Request\r\n"), request + " -> " + response);
                    assertTrue(response.contains("agentkernel sandbox: "), response);
                    assertTrue(response.contains("a proxy request is expected"), request + " -> " + response);
                }
            }
            assertTrue(seenUri.isEmpty(), "nothing reached the server");
            assertEquals(0, proxy.allowedCount());
            assertEquals(0, proxy.deniedCount());
        }
    }

    @Test
    void originFormRequestIsExplained() throws Exception {
        try (EgressProxy proxy = open("127.0.0.1:" + httpPort());
             Client client = Client.unix(sock)) {
            String response = client.send("GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n").readToEnd();
            assertTrue(response.contains("'GET /v1/models' is a request for a server, but this is the sandbox's HTTP proxy; a proxy request"
                    + " is expected: CONNECT host:port, or an absolute URL such as GET http://host/path"), response);
        }
    }

    @Test
    void allowedButClosedPortGets502WithTheReason() throws Exception {
        int closed = NetTestSupport.closedPort();
        try (EgressProxy proxy = open("127.0.0.1:" + closed, "no-such-host.invalid:443");
             Client client = Client.unix(sock);
             Client unknown = Client.unix(sock)) {
            String response = client.send("CONNECT 127.0.0.1:" + closed + " HTTP/1.1\r\n\r\n").readToEnd();
            assertTrue(response.startsWith("HTTP/1.1 502 Bad Gateway\r\n"), response);
            assertTrue(response.contains("cannot reach 127.0.0.1:" + closed + ": "), response);
            assertTrue(response.toLowerCase().contains("refused"), response);
            String unknownResponse = unknown.send("CONNECT no-such-host.invalid:443 HTTP/1.1\r\n\r\n").readToEnd();
            assertTrue(unknownResponse.startsWith("HTTP/1.1 502 Bad Gateway\r\n"), unknownResponse);
            assertTrue(unknownResponse.contains("unknown host no-such-host.invalid"), unknownResponse);
            assertEquals(2, proxy.allowedCount());
        }
    }

    @Test
    void oversizedHeadGets431() throws Exception {
        try (EgressProxy proxy = open("127.0.0.1:" + httpPort());
             Client client = Client.unix(sock)) {
            client.send("GET http://127.0.0.1:" + httpPort() + "/ HTTP/1.1\r\nX-Big: " + "x".repeat(17_000));
            String response = client.readToEnd();
            assertTrue(response.startsWith("HTTP/1.1 431 "), response);
        }
    }

    @Test
    void silentClientIsCutOffAfterTheHeadTimeout() throws Exception {
        try (EgressProxy proxy = EgressProxy.open(sock, EgressAllowList.none(), LABEL, d -> {}, Duration.ofMillis(200), Duration.ofSeconds(10));
             Client client = Client.unix(sock)) {
            long start = System.nanoTime();
            client.send("CONNECT 127.0.0.1:1 HTTP/1.1\r\n"); // never finished
            assertTrue(client.seesEnd());
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 5000);
        }
    }

    @Test
    void staleSocketFileIsReplaced() throws Exception {
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(sock));
        }
        assertTrue(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), "closing a listener leaves its file behind");
        int port = echo.port();
        try (EgressProxy proxy = open("127.0.0.1:" + port);
             Client client = Client.unix(sock)) {
            client.send("CONNECT 127.0.0.1:" + port + " HTTP/1.1\r\n\r\n");
            assertEquals("HTTP/1.1 200 Connection Established\r\n\r\n", client.readUntil("\r\n\r\n"));
        }
    }

    @Test
    void symlinkDirectoryOrFileAtThePathIsRefusedAndLeftAlone() throws Exception {
        Path target = dir.resolve("precious.txt");
        Files.writeString(target, "keep me");
        Files.createSymbolicLink(sock, target);
        IOException link = assertThrows(IOException.class, this::open);
        assertTrue(link.getMessage().contains(sock.toString()) && link.getMessage().contains("symbolic link"), link.getMessage());
        assertTrue(Files.isSymbolicLink(sock));
        assertEquals("keep me", Files.readString(target));
        Files.delete(sock);

        Files.createDirectory(sock);
        IOException directory = assertThrows(IOException.class, this::open);
        assertTrue(directory.getMessage().contains("a directory"), directory.getMessage());
        Files.delete(sock);

        Files.writeString(sock, "data");
        IOException file = assertThrows(IOException.class, this::open);
        assertTrue(file.getMessage().contains("a regular file"), file.getMessage());
        assertEquals("data", Files.readString(sock));
    }

    @Test
    void tooLongSocketPathIsRefusedClearly() {
        Path tooLong = dir.resolve("s".repeat(120) + ".sock");
        IOException e = assertThrows(IOException.class, () -> EgressProxy.open(tooLong, EgressAllowList.none(), LABEL));
        assertTrue(e.getMessage().contains("at most " + dev.agentkernel.protocol.relay.RelaySockets.MAX_PATH_BYTES), e.getMessage());
    }

    @Test
    void closeEndsLiveTunnelsAndDeletesTheSocket() throws Exception {
        int port = echo.port();
        EgressProxy proxy = open("127.0.0.1:" + port);
        try (Client tunnel = Client.unix(sock);
             Client waiting = Client.unix(sock)) {
            tunnel.send("CONNECT 127.0.0.1:" + port + " HTTP/1.1\r\n\r\n");
            assertEquals("HTTP/1.1 200 Connection Established\r\n\r\n", tunnel.readUntil("\r\n\r\n"));
            tunnel.send("ping|");
            assertEquals("ping|", tunnel.readUntil("|"));
            waiting.send("CONNECT 127.0.0.1:" + port); // head not finished yet
            proxy.close();
            assertTrue(tunnel.seesEnd(), "the tunnel ends with the proxy");
            assertTrue(waiting.seesEnd(), "a half-sent request ends too");
            assertFalse(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), "socket file removed");
            proxy.close(); // idempotent
        }
        await(() -> echo.accepted.stream().noneMatch(java.nio.channels.SocketChannel::isOpen), Duration.ofSeconds(5));
    }

    @Test
    void closeLeavesAnotherFileAtThePathAlone() throws Exception {
        EgressProxy proxy = open();
        Files.delete(sock);
        Files.writeString(sock, "not ours");
        proxy.close();
        assertEquals("not ours", Files.readString(sock));
    }

    @Test
    void failingDenialCallbackDoesNotBreakTheProxy() throws Exception {
        try (EgressProxy proxy = EgressProxy.open(sock, EgressAllowList.none(), LABEL, d -> { throw new IllegalStateException("log full"); });
             Client client = Client.unix(sock)) {
            String response = client.send("CONNECT example.com:443 HTTP/1.1\r\n\r\n").readToEnd();
            assertTrue(response.startsWith("HTTP/1.1 403 "), response);
            assertTrue(response.contains("it may reach: nothing."), response);
            assertEquals(1, proxy.deniedCount());
        }
    }
}
