package dev.agentkernel.spawn.sandbox;

import dev.agentkernel.protocol.RunnerConfig;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.AgentKernelException;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.protocol.relay.RelaySockets;
import dev.agentkernel.spawn.local.AgentDir;
import dev.agentkernel.spawn.sandbox.net.EgressAllowList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** An isolated agent's relays on the host: the allow-list from its config, the relay directory, the ports, the denial log. */
class RelayNetworkTest {

    /** Under /tmp, not JUnit's @TempDir: the relay sockets must be reachable without the short link. */
    Path stateDir;

    @BeforeEach
    void setUp() throws IOException {
        stateDir = Files.createTempDirectory(Path.of("/tmp"), "akr");
    }

    @AfterEach
    void tearDown() throws IOException {
        RelayDirTest.deleteTree(stateDir);
    }

    static ObjectNode config(Object... keyValues) {
        ObjectNode n = Protocol.json().createObjectNode();
        for (int i = 0; i < keyValues.length; i += 2) n.set((String) keyValues[i], Protocol.json().valueToTree(keyValues[i + 1]));
        return n;
    }

    static int freePort() throws IOException {
        try (ServerSocketChannel s = ServerSocketChannel.open()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress) s.getLocalAddress()).getPort();
        }
    }

    /** Whether a listener could take 127.0.0.1:{@code port} right now. */
    static boolean bindable(int port) {
        try (ServerSocketChannel s = ServerSocketChannel.open()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String readToEnd(SocketChannel channel) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (channel.read(buffer.clear()) >= 0) out.write(buffer.array(), 0, buffer.position());
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Sends a proxy request to the agent's egress socket, as its runner would, and returns the whole answer. */
    static String viaEgress(RelayDir relay, String request) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(relay.socket(RelaySockets.EGRESS)))) {
            c.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
            return readToEnd(c);
        }
    }

    AgentDir agentDir() throws IOException {
        return RelayDirTest.agentDir(stateDir);
    }

    // ---- allowList ----

    @Test
    void anthropicWithoutBaseUrlMayReachItsDefaultEndpointAndTheList() {
        EgressAllowList only = SandboxRelayNetwork.allowList(config("provider", "anthropic"), List.of());
        assertEquals(List.of("api.anthropic.com:443"), only.entries());
        assertTrue(only.allows("api.anthropic.com", 443));
        assertFalse(only.allows("api.anthropic.com", 80));
        assertFalse(only.allows("api.openai.com", 443));

        EgressAllowList more = SandboxRelayNetwork.allowList(config("provider", "anthropic"), List.of("pypi.org:443"));
        assertEquals(java.util.Set.of("api.anthropic.com:443", "pypi.org:443"), java.util.Set.copyOf(more.entries()));
        assertTrue(more.allows("pypi.org", 443));
        assertFalse(more.allows("files.pythonhosted.org", 443));

        assertEquals(List.of("api.anthropic.com:443"), SandboxRelayNetwork.allowList(config(), List.of()).entries(), "anthropic is the default provider");
        assertEquals(List.of("api.anthropic.com:443"), SandboxRelayNetwork.allowList(config("base_url", null), List.of()).entries(),
                "a null base_url is no base_url");
    }

    @Test
    void openaiWithoutBaseUrlMayReachItsDefaultEndpoint() {
        EgressAllowList list = SandboxRelayNetwork.allowList(config("provider", "openai"), List.of());
        assertEquals(List.of("api.openai.com:443"), list.entries());
        assertFalse(list.allows("api.anthropic.com", 443));
    }

    @Test
    void aBaseUrlReplacesTheProvidersDefault() {
        EgressAllowList local = SandboxRelayNetwork.allowList(config("provider", "openai", "base_url", "http://127.0.0.1:8080/v1"), List.of());
        assertEquals(List.of("127.0.0.1:8080"), local.entries());
        assertTrue(local.allows("127.0.0.1", 8080));
        assertFalse(local.allows("api.openai.com", 443));
        assertEquals(List.of("llm.example.com:443"),
                SandboxRelayNetwork.allowList(config("provider", "anthropic", "base_url", "https://LLM.example.com/v1"), List.of()).entries());
        assertEquals(List.of("gw.example.com:80"),
                SandboxRelayNetwork.allowList(config("base_url", " http://gw.example.com "), List.of()).entries(), "trimmed; http means 80");
        // A provider without a default endpoint and no base_url: the list alone.
        assertEquals(List.of("pypi.org:443"), SandboxRelayNetwork.allowList(config("provider", "other"), List.of("pypi.org:443")).entries());
    }

    @Test
    void aBaseUrlWithoutAHostIsAnInvalidRequestNamingIt() {
        for (String url : List.of("http:///v1", "localhost:8080/v1")) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> SandboxRelayNetwork.allowList(config("base_url", url), List.of()), url);
            assertTrue(e.getMessage().contains("'" + url + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("https://api.example.com/v1"), "shows the form: " + e.getMessage());
        }
        InvalidRequestException notUrl = assertThrows(InvalidRequestException.class,
                () -> SandboxRelayNetwork.allowList(config("base_url", "http://a b/"), List.of()));
        assertTrue(notUrl.getMessage().contains("'http://a b/'") && notUrl.getMessage().contains("not a URL"), notUrl.getMessage());
        AgentKernelException ftp = assertThrows(AgentKernelException.class,
                () -> SandboxRelayNetwork.allowList(config("base_url", "ftp://llm.example.com/"), List.of()));
        assertTrue(ftp.getMessage().contains("ftp://llm.example.com/"), ftp.getMessage());
    }

    // ---- open / delete ----

    @Test
    void openCreatesTheRelayDirListensOnTheHttpPortAndDeleteRemovesBoth() throws Exception {
        AgentDir agent = agentDir();
        int port = freePort();
        RelayDir relay = RelayDir.of(agent);
        SandboxRelayNetwork network = SandboxRelayNetwork.open(agent, config("name", "a", "provider", "anthropic", "http_port", port), List.of());
        try {
            assertEquals(stateDir.resolve("relay").resolve(agent.path().getFileName().toString()), relay.dir());
            assertTrue(Files.isDirectory(relay.dir(), LinkOption.NOFOLLOW_LINKS));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(relay.dir())));
            assertTrue(Files.exists(relay.dir().resolve(RelaySockets.EGRESS), LinkOption.NOFOLLOW_LINKS), "the egress proxy listens");
            assertFalse(bindable(port), "the kernel listens on the agent's HTTP port");
            try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                assertTrue(c.isConnected());
            }
            RunnerConfig.Builder fields = RunnerConfig.builder(Map.of());
            network.configure(fields);
            assertEquals(Map.of("relay_dir", "/run/agentkernel"), fields.fields());
            assertTrue(network.toString().contains(relay.dir().toString()), network.toString());
        } finally {
            network.delete();
        }
        assertFalse(Files.exists(relay.dir(), LinkOption.NOFOLLOW_LINKS), "delete removes the relay directory");
        assertTrue(bindable(port), "delete frees the port");
        network.delete(); // idempotent
    }

    @Test
    void theHttpPortIsRelayedToTheRunnersSocketOnceItGreets() throws Exception {
        AgentDir agent = agentDir();
        int port = freePort();
        SandboxRelayNetwork network = SandboxRelayNetwork.open(agent, config("name", "a", "http_port", port), List.of());
        RelayDir relay = RelayDir.of(agent);
        try (ServerSocketChannel runner = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            // The runner's side: greets, then answers.
            runner.bind(UnixDomainSocketAddress.of(relay.socket(RelaySockets.HTTP)));
            Thread.ofVirtual().start(() -> {
                try (SocketChannel c = runner.accept()) {
                    c.write(ByteBuffer.wrap(RelaySockets.greeting()));
                    ByteBuffer in = ByteBuffer.allocate(4);
                    while (in.hasRemaining() && c.read(in) >= 0) { }
                    c.write(ByteBuffer.wrap(("re:" + new String(in.array(), StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException ignored) {
                    // The test fails on its side.
                }
            });
            try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                client.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
                assertEquals("re:ping", readToEnd(client), "the greeting is consumed by the kernel, the rest relayed");
            }
        } finally {
            network.delete();
        }
    }

    @Test
    void aTakenHttpPortIsABindExceptionNamingIt() throws Exception {
        AgentDir agent = agentDir();
        try (ServerSocketChannel taken = ServerSocketChannel.open()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            BindException e = assertThrows(BindException.class,
                    () -> SandboxRelayNetwork.open(agent, config("name", "a", "http_port", port), List.of()));
            assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
            assertTrue(e.getMessage().contains("HTTP"), e.getMessage());
            RelayDir relay = RelayDir.of(agent);
            assertFalse(Files.exists(relay.dir().resolve(RelaySockets.EGRESS), LinkOption.NOFOLLOW_LINKS),
                    "the egress proxy opened before is closed again");

            // The caller retries with another port: that works on the same relay directory.
            int other = freePort();
            SandboxRelayNetwork retry = SandboxRelayNetwork.open(agent, config("name", "a", "http_port", other), List.of());
            try {
                assertFalse(bindable(other));
            } finally {
                retry.delete();
            }
        }
    }

    @Test
    void theAgentBusPortIsRelayedTooAndATakenOneIsNamed() throws Exception {
        AgentDir agent = agentDir();
        int http = freePort();
        int bus = freePort();
        SandboxRelayNetwork network = SandboxRelayNetwork.open(agent, config("name", "a", "http_port", http, "agentbus_port", bus), List.of());
        try {
            assertFalse(bindable(http));
            assertFalse(bindable(bus));
        } finally {
            network.delete();
        }
        assertTrue(bindable(http) && bindable(bus), "delete frees both ports");

        try (ServerSocketChannel taken = ServerSocketChannel.open()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            int http2 = freePort();
            BindException e = assertThrows(BindException.class,
                    () -> SandboxRelayNetwork.open(agent, config("name", "a", "http_port", http2, "agentbus_port", port), List.of()));
            assertTrue(e.getMessage().contains("AgentBus") && e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
            assertTrue(bindable(http2), "the HTTP relay opened before is closed again");
        } finally {
            RelayDir.of(agent).delete();
        }
    }

    // ---- denials ----

    @Test
    void aDeniedRequestGets403AndIsAppendedToTheAgentsNetworkLog() throws Exception {
        AgentDir agent = agentDir();
        SandboxRelayNetwork network = SandboxRelayNetwork.open(agent, config("name", "a", "provider", "anthropic", "http_port", freePort()),
                List.of("pypi.org:443"));
        try {
            RelayDir relay = RelayDir.of(agent);
            String response = viaEgress(relay, "CONNECT example.com:443 HTTP/1.1\r\n\r\n");
            assertTrue(response.startsWith("HTTP/1.1 403 "), response);
            assertTrue(response.contains("may not reach example.com:443"), response);
            assertTrue(response.contains("api.anthropic.com:443") && response.contains("pypi.org:443"), "names the list: " + response);
            assertTrue(response.contains("sandbox: {allow:"), "says how to allow it: " + response);

            Path log = agent.path().resolve(SandboxRelayNetwork.DENIALS_LOG);
            assertEquals(agent.path().resolve("network.log"), log);
            List<String> lines = Files.readAllLines(log);
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.getFirst().contains("denied example.com:443"), lines.toString());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));

            assertTrue(viaEgress(relay, "GET http://other.example:8080/x HTTP/1.1\r\nHost: other.example:8080\r\n\r\n")
                    .startsWith("HTTP/1.1 403 "));
            lines = Files.readAllLines(log);
            assertEquals(2, lines.size(), "appended: " + lines);
            assertTrue(lines.get(1).contains("denied other.example:8080"), lines.toString());
        } finally {
            network.delete();
        }
        assertTrue(Files.exists(agent.path().resolve(SandboxRelayNetwork.DENIALS_LOG)), "the log is the agent's, it outlives the relays");
    }

    @Test
    void aLinkPlantedAsTheNetworkLogIsNotFollowed() throws Exception {
        AgentDir agent = agentDir();
        Path target = Files.writeString(stateDir.resolve("kernel-file.txt"), "precious\n");
        Path log = agent.path().resolve(SandboxRelayNetwork.DENIALS_LOG);
        Files.createSymbolicLink(log, target);
        SandboxRelayNetwork network = SandboxRelayNetwork.open(agent, config("name", "a", "http_port", freePort()), List.of());
        try {
            String response = viaEgress(RelayDir.of(agent), "CONNECT example.com:443 HTTP/1.1\r\n\r\n");
            assertTrue(response.startsWith("HTTP/1.1 403 "), "the agent still gets its answer: " + response);
        } finally {
            network.delete();
        }
        assertEquals("precious\n", Files.readString(target), "the kernel did not append through the link");
        assertTrue(Files.isSymbolicLink(log), "and did not replace it either");
    }

    @Test
    void eachAgentHasItsOwnRelayDirectory() throws Exception {
        AgentDir one = agentDir();
        AgentDir two = agentDir();
        SandboxRelayNetwork a = SandboxRelayNetwork.open(one, config("name", "one", "http_port", freePort()), List.of());
        try {
            SandboxRelayNetwork b = SandboxRelayNetwork.open(two, config("name", "two", "http_port", freePort()), List.of());
            try {
                assertNotEquals(RelayDir.of(one).dir(), RelayDir.of(two).dir());
                assertTrue(Files.exists(RelayDir.of(two).socket(RelaySockets.EGRESS), LinkOption.NOFOLLOW_LINKS));
            } finally {
                b.delete();
            }
            assertTrue(Files.exists(RelayDir.of(one).socket(RelaySockets.EGRESS), LinkOption.NOFOLLOW_LINKS),
                    "deleting one agent's relays leaves the other's");
        } finally {
            a.delete();
        }
    }
}
