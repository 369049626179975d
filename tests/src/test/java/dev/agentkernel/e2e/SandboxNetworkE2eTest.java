package dev.agentkernel.e2e;

import com.sun.net.httpserver.HttpServer;
import dev.agentkernel.AgentBusConfig;
import dev.agentkernel.AgentKernel;
import dev.agentkernel.AgentStatus;
import dev.agentkernel.ConfigException;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.bus.BusEntry;
import dev.agentkernel.config.SandboxSettings;
import dev.agentkernel.fakellm.FakeLlmServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static dev.agentkernel.e2e.E2e.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The sandbox backend's isolated network (docs/sandbox.md, "Network"), checked the way an agent would try
 * to get around it: the scripted LLM makes the agent's {@code bash} tool open connections, and the test
 * reads what happened from the tool result and from the servers it tried to reach.
 */
@Timeout(300)
class SandboxNetworkE2eTest {

    @TempDir static Path tmp;
    static FakeLlmServer llm;
    static AgentKernel kernel;
    static SpawnResult alice;
    static SpawnResult bob;
    /** A service on the host's loopback that no agent may reach. */
    static HttpServer hostService;
    static final AtomicInteger hostServiceHits = new AtomicInteger();
    /** A service on the host's loopback that the kernel's allow-list names. */
    static HttpServer allowedService;
    static final AtomicInteger allowedServiceHits = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")), "these tests need bubblewrap: apt-get install -y bubblewrap");
        llm = FakeLlmServer.start(0);
        hostService = service("host secret", hostServiceHits);
        allowedService = service("allowed-ok", allowedServiceHits);
        kernel = sandboxKernel(tmp.resolve("state"), SandboxSettings.isolated("127.0.0.1:" + allowedService.getAddress().getPort()));
        alice = spawn(kernel, "alice", llm);
        bob = spawn(kernel, "bob", llm);
    }

    @AfterAll
    static void stop() {
        if (kernel != null) kernel.close();
        if (llm != null) llm.close();
        if (hostService != null) hostService.stop(0);
        if (allowedService != null) allowedService.stop(0);
    }

    static HttpServer service(String body, AtomicInteger hits) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            hits.incrementAndGet();
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        server.start();
        return server;
    }

    static AgentKernel sandboxKernel(Path stateDir, SandboxSettings sandbox) {
        return AgentKernel.builder().backend("sandbox").sandbox(sandbox).plugin(new OpenClawPlugin()).stateDir(stateDir)
                .hostEnv(Map.of("PATH", System.getenv("PATH"))).spawnTimeout(Duration.ofSeconds(60)).build();
    }

    static String bash(SpawnResult agent, String command) {
        return SandboxE2eTest.bashOn(kernel, agent, command);
    }

    /** Bash that tries a TCP connection and prints {@code open-<label>} or {@code closed-<label>}. */
    static String probe(String host, int port, String label) {
        return "(timeout 5 bash -c 'exec 3<>/dev/tcp/" + host + "/" + port + "') 2>&1 && echo open-" + label + " || echo closed-" + label + "; ";
    }

    /** Bash that sends one absolute-form GET through the proxy in $HTTP_PROXY and prints the reply. */
    static String viaProxy(String url) {
        // --noproxy '': the tools' NO_PROXY sends loopback URLs straight to the sandbox's own loopback, and these
        // targets are on the host's loopback, which only the kernel's proxy can reach (if it allows them).
        return "curl -s -S --noproxy '' --max-time 10 -w ' [%{http_code}]' " + url + " 2>&1; echo; ";
    }

    @Test
    void theSandboxHasOnlyLoopbackAndTheRunnerIsStillReachable() throws Exception {
        String out = bash(alice, "cat /proc/net/dev; echo relay: $(ls /run/agentkernel)");
        List<String> interfaces = out.lines().filter(l -> l.contains(":") && !l.contains("|") && !l.startsWith("relay"))
                .map(l -> l.substring(0, l.indexOf(':')).trim()).filter(s -> !s.isEmpty() && !s.startsWith("Tool result")).toList();
        assertEquals(List.of("lo"), interfaces, "only a loopback interface exists inside: " + out);
        assertTrue(out.contains("relay: egress.sock http.sock"), "the relay sockets, and nothing else: " + out);
        AgentStatus st = kernel.status().join().stream().filter(s -> s.agentId().equals(alice.agent().id())).findFirst().orElseThrow();
        assertTrue(st.live(), "the kernel reaches the runner through the relay: " + st);
        // The kernel's side of the relay: outside the agent's directory, private.
        Path relay = kernel.stateDir().resolve("relay").resolve(alice.agent().id());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(relay)));
        assertFalse(Files.exists(agentDir(kernel, alice.agent().id()).resolve("relay")));
    }

    @Test
    void directConnectionsFailEverywhere() throws Exception {
        int bobPort = port(bob);
        String out = bash(alice, probe("127.0.0.1", hostService.getAddress().getPort(), "host-service")
                + probe("127.0.0.1", llm.port(), "llm-direct")
                + probe("127.0.0.1", bobPort, "bob")
                + probe("10.255.255.1", 80, "outside")
                + "getent hosts example.com || echo no-dns");
        for (String label : List.of("host-service", "llm-direct", "bob", "outside")) {
            assertTrue(out.contains("closed-" + label) && !out.contains("open-" + label), label + ": " + out);
        }
        assertTrue(out.contains("Network is unreachable"), "no route leaves the sandbox: " + out);
        assertTrue(out.contains("no-dns"), "no name resolution inside: " + out);
        assertEquals(0, hostServiceHits.get(), "the host service saw no connection");
    }

    @Test
    void theProxyLetsThroughOnlyTheLlmEndpointAndTheAllowList() throws Exception {
        int hostPort = hostService.getAddress().getPort();
        int allowedPort = allowedService.getAddress().getPort();
        int hitsBefore = allowedServiceHits.get();
        String out = bash(alice, "echo proxy=$HTTPS_PROXY no_proxy=$NO_PROXY; "
                + "(python3 -m http.server 8765 --bind 127.0.0.1 >/dev/null 2>&1 &) ; sleep 1; "
                + "curl -s -o /dev/null -w 'own-server [%{http_code}]' http://127.0.0.1:8765/ 2>&1; echo; "
                + viaProxy("http://127.0.0.1:" + hostPort + "/")
                + viaProxy("http://127.0.0.1:" + allowedPort + "/")
                + viaProxy("http://127.0.0.1:" + llm.port() + "/v1/models")
                + viaProxy("https://example.com/"));
        assertTrue(out.contains("proxy=http://127.0.0.1:") && out.contains("no_proxy=localhost,127.0.0.1,::1"), out);
        assertTrue(out.contains("own-server [200]"), "a server the agent starts on its own loopback is reached directly: " + out);
        assertTrue(out.contains("may not reach 127.0.0.1:" + hostPort) && out.contains("[403]"), "the host service is refused, with the reason: " + out);
        assertTrue(out.contains("allowed-ok [200]"), "the allow-listed service answers: " + out);
        // An API path of the LLM endpoint passes (the scripted server answers for itself; other paths: SandboxHardeningE2eTest).
        assertTrue(out.contains("no such endpoint: GET /v1/models") && out.contains("[404]"),
                "the LLM endpoint is allowed (the scripted server answers for itself): " + out);
        assertTrue(out.contains("CONNECT tunnel failed, response 403"), "https through CONNECT is refused for other hosts too: " + out);
        assertEquals(0, hostServiceHits.get(), "the host service never saw the agent");
        assertEquals(hitsBefore + 1, allowedServiceHits.get());
        String log = Files.readString(agentDir(kernel, alice.agent().id()).resolve("network.log"));
        assertTrue(log.contains("denied 127.0.0.1:" + hostPort) && log.contains("denied example.com:443"), log);
    }

    /**
     * An agent may replace its {@code http.sock} with a link to another socket on the host. The kernel must
     * then refuse to relay: the other socket does not greet like a runner, and it receives nothing, not even
     * the request line (which would carry the nonce).
     */
    @Test
    void aSocketSwappedForALinkToAHostSocketGetsNothingFromTheKernel() throws Exception {
        Path decoyDir = Files.createTempDirectory(Path.of("/tmp"), "akdecoy");
        Path decoy = decoyDir.resolve("decoy.sock");
        AtomicInteger accepted = new AtomicInteger();
        AtomicLong received = new AtomicLong();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(decoy));
            Thread.ofVirtual().start(() -> {
                while (server.isOpen()) {
                    try (SocketChannel c = server.accept()) {
                        accepted.incrementAndGet();
                        c.write(ByteBuffer.wrap("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII)));
                        ByteBuffer buf = ByteBuffer.allocate(4096);
                        int n;
                        while ((n = c.read(buf)) > 0) {
                            received.addAndGet(n);
                            buf.clear();
                        }
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            SpawnResult mallory = spawn(kernel, "mallory", llm);
            try {
                // The agent's tools see the relay directory read-only (issue 12) ...
                String out = bash(mallory, "rm /run/agentkernel/http.sock && ln -s " + decoy + " /run/agentkernel/http.sock && echo swapped");
                assertFalse(out.contains("swapped"), out);
                assertTrue(out.contains("Read-only file system"), out);
                // ... so swap it as a runner gone bad could: the kernel's greeting check is the second line.
                Path relay = agentDir(kernel, mallory.agent().id()).getParent().getParent().resolve("relay")
                        .resolve(mallory.agent().id()).resolve("http.sock");
                Files.delete(relay);
                Files.createSymbolicLink(relay, decoy);
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port(mallory))) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + mallory.nonce() + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    InputStream in = s.getInputStream();
                    int first;
                    try {
                        first = in.read();
                    } catch (java.net.SocketException reset) {
                        first = -1; // closed with our request unread: a reset, also fine
                    }
                    assertEquals(-1, first, "the kernel closes the connection instead of relaying the decoy's answer");
                }
                assertTrue(waitUntil(Duration.ofSeconds(5), () -> accepted.get() >= 1), "the kernel did try the linked socket");
                Thread.sleep(200);
                assertEquals(0, received.get(), "the decoy received no byte from the kernel");
            } finally {
                kernel.spawner().kill(mallory.agent().id()).join();
            }
        } finally {
            Files.deleteIfExists(decoy);
            Files.deleteIfExists(decoyDir);
        }
    }

    @Test
    void theAgentBusIsReachedThroughItsRelayToo() {
        SpawnResult r = kernel.spawner().spawn(SpawnRequest.builder().name("bussed").spawnInfo(info(llm).build())
                .agentbus(AgentBusConfig.builder().port(0).build()).build()).join();
        try {
            assertEquals("Echo: hello", kernel.ask(r.agent().id(), r.nonce(), "hello"));
            List<BusEntry> entries = kernel.bus(r.agent().id()).entries(0);
            assertTrue(entries.stream().anyMatch(e -> e.type().equals(BusEntry.INFERENCE_INPUT)), "the bus log over its relay: " + entries);
        } finally {
            kernel.spawner().kill(r.agent().id()).join();
        }
    }

    @Test
    void killRemovesTheRelaysAndGivesThePortBack() throws Exception {
        SpawnResult carol = spawn(kernel, "carol", llm);
        int port = port(carol);
        Path relay = kernel.stateDir().resolve("relay").resolve(carol.agent().id());
        assertTrue(Files.exists(relay.resolve("http.sock"), LinkOption.NOFOLLOW_LINKS));
        kernel.spawner().kill(carol.agent().id()).join();
        assertFalse(Files.exists(relay, LinkOption.NOFOLLOW_LINKS), "the relay directory goes with the agent");
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(port, s.getLocalPort(), "the host port is free again");
        }
    }

    /** A state dir so deep that socket paths would pass the 106 bytes Java allows: the kernel goes through a short link. */
    @Test
    void aDeepStateDirStillWorks() throws Exception {
        Path deep = tmp.resolve("d".repeat(60)).resolve("e".repeat(60));
        try (AgentKernel k = sandboxKernel(deep, SandboxSettings.defaults())) {
            SpawnResult r = spawn(k, "deep", llm);
            assertEquals("Echo: deep hello", k.ask(r.agent().id(), r.nonce(), "deep hello"));
            k.spawner().kill(r.agent().id()).join();
        }
    }

    @Test
    void hostNetworkIsTheOptOut() throws Exception {
        try (AgentKernel k = sandboxKernel(tmp.resolve("hostnet"), SandboxSettings.hostNetwork())) {
            SpawnResult r = spawn(k, "open", llm);
            String out = SandboxE2eTest.bashOn(k, r, probe("127.0.0.1", hostService.getAddress().getPort(), "host-service")
                    + "ls /run/agentkernel 2>&1");
            assertTrue(out.contains("open-host-service"), "with network: host the agent reaches host services: " + out);
            assertTrue(out.contains("No such file or directory"), "and has no relay: " + out);
            k.spawner().kill(r.agent().id()).join();
        }
    }

    @Test
    void aBadAllowEntryFailsTheBuildNamingIt() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> sandboxKernel(tmp.resolve("bad"), SandboxSettings.isolated("pypi.org")));
        assertTrue(e.getMessage().contains("pypi.org") && e.getMessage().contains("pypi.org:443"), e.getMessage());
        ConfigException host = assertThrows(ConfigException.class, () -> new SandboxSettings(SandboxSettings.Network.HOST, List.of("a:1")));
        assertTrue(host.getMessage().contains("no effect"), host.getMessage());
    }

    /** A spawn that fails, before or after its runner starts, leaves no relay, port, directory or process. */
    @Test
    void aFailedSpawnLeavesNothingBehind() throws Exception {
        Path state = tmp.resolve("failing");
        Path bin = script(tmp, "dies.sh", "echo 'runner refuses to start' >&2\nexit 7\n");
        // A root kernel's sandbox runs the runner as an ordinary user (docs/sandbox.md, "Users"), who must be able to run it.
        Files.setPosixFilePermissions(bin, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = Map.of("PATH", System.getenv("PATH"), "OPENCLAW_RUNNER_BIN", bin.toString());
        try (AgentKernel k = AgentKernel.builder().backend("sandbox").plugin(new OpenClawPlugin()).stateDir(state)
                .hostEnv(env).spawnTimeout(Duration.ofSeconds(30)).build()) {
            Throwable bad = cause(() -> k.spawner().spawn(SpawnRequest.builder().name("nohost")
                    .spawnInfo(info(llm).baseUrl("http:///v1").build()).build()).join());
            assertInstanceOf(dev.agentkernel.InvalidRequestException.class, bad);
            assertTrue(bad.getMessage().contains("http:///v1"), bad.getMessage());
            Throwable dead = cause(() -> k.spawner().spawn(SpawnRequest.builder().name("dies").spawnInfo(info(llm).build()).build()).join());
            assertInstanceOf(dev.agentkernel.SpawnFailedException.class, dead);
            assertTrue(dead.getMessage().contains("exited with code 7"), dead.getMessage());
            assertTrue(k.spawner().agents().isEmpty());
        }
        assertEquals(List.of(), SandboxE2eTest.listing(state.resolve("agents")), "no agent directory left");
        assertEquals(List.of(), SandboxE2eTest.listing(state.resolve("relay")), "no relay directory left");
    }

    static int port(SpawnResult agent) throws Exception {
        return record(kernel, agent.agent().id()).port();
    }
}
