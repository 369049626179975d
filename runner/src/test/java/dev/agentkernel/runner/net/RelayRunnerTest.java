package dev.agentkernel.runner.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.fakellm.junit.FakeLlm;
import dev.agentkernel.fakellm.RecordedRequest;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.protocol.relay.RelaySockets;
import dev.agentkernel.runner.Runner;
import dev.agentkernel.runner.RunnerClient;
import dev.agentkernel.runner.SseEvent;
import dev.agentkernel.runner.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import static dev.agentkernel.runner.RunnerClient.json;
import static dev.agentkernel.runner.RunnerClient.last;
import static dev.agentkernel.runner.RunnerClient.named;
import static dev.agentkernel.runner.RunnerClient.text;
import static dev.agentkernel.runner.net.RelayTestSockets.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A whole runner in relay mode (config relay_dir), with a stand-in for the kernel's egress proxy on egress.sock:
 * the kernel's way in (http.sock, bus.sock) and the runner's ways out (SDK and tools through the proxy).
 */
class RelayRunnerTest {
    @FakeLlm
    static FakeLlmServer llm;
    @TempDir
    Path tmp;
    Path relay;

    @BeforeEach
    void setUp() throws IOException {
        llm.clearRequests();
        relay = relayDir();
    }

    @AfterEach
    void tearDown() {
        deleteTree(relay);
    }

    private TestRunner runner(String provider, Consumer<ObjectNode> tweak) {
        return runner(provider, tweak, TestRunner.FAST);
    }

    private TestRunner runner(String provider, Consumer<ObjectNode> tweak, Runner.Options options) {
        String base = "openai".equals(provider) ? llm.openAiBaseUrl() : llm.anthropicBaseUrl();
        return TestRunner.start(tmp.resolve(provider), TestRunner.config(provider, base, c -> {
            c.put("relay_dir", relay.toString());
            tweak.accept(c);
        }), options);
    }

    private TestEgressProxy proxy() throws IOException {
        return new TestEgressProxy(relay.resolve(RelaySockets.EGRESS));
    }

    private List<RecordedRequest> apiRequests() {
        return llm.requests().stream().filter(r -> r.method().equals("POST")).toList();
    }

    /** An HTTP/1.0 exchange over a relay socket: no chunked framing, the server closes when done. */
    private static String http10(Path socket, String method, String path, String body) throws IOException {
        try (SocketChannel c = connect(socket)) {
            assertEquals("agentkernel-relay 1\n", readGreeting(c));
            byte[] bytes = body == null ? new byte[0] : body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            write(c, method + " " + path + " HTTP/1.0\r\nHost: runner\r\nAuthorization: Bearer " + TestRunner.NONCE + "\r\n"
                    + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n") + "\r\n"
                    + (body == null ? "" : body));
            return readToEnd(c);
        }
    }

    /** The text deltas of an SSE body, concatenated. */
    private static String sseText(String response) {
        StringBuilder text = new StringBuilder();
        String event = "message";
        for (String line : response.split("\n")) {
            if (line.startsWith("event: ")) event = line.substring(7).strip();
            else if (line.startsWith("data: ") && event.equals("text")) text.append(json(line.substring(6)).path("body").asText());
        }
        return text.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"anthropic", "openai"})
    void aTurnThroughHttpSockReachesTheLlmThroughTheKernelsProxy(String provider) throws IOException {
        try (TestEgressProxy proxy = proxy(); TestRunner agent = runner(provider, c -> { })) {
            Path http = relay.resolve(RelaySockets.HTTP);
            assertTrue(http10(http, "GET", Protocol.PATH_HEALTH, null).startsWith("HTTP/1.1 200"));

            String response = http10(http, "POST", Protocol.PATH_TURN, RunnerClient.turnBody("hello through the relay"));
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertEquals("Echo: hello through the relay", sseText(response), response);
            assertTrue(response.contains("event: done"), response);

            String apiPath = "openai".equals(provider) ? "/v1/chat/completions" : "/v1/messages";
            assertEquals(List.of("POST http://127.0.0.1:" + llm.port() + apiPath + " HTTP/1.1"), proxy.requestLines(),
                    "the SDK sent its request to the proxy, in absolute form");
            assertEquals(1, apiRequests().size());
            assertEquals(apiPath, apiRequests().get(0).path());

            // the TCP port still answers too (the kernel's relay and a runner started by hand both work)
            assertEquals("Echo: again", text(agent.client.turn("again")));
            assertEquals(2, proxy.requestLines().size());
        }
    }

    @Test
    void toolsGetTheProxyInTheirEnvironmentAndInfoNamesIt() throws IOException {
        try (TestEgressProxy proxy = proxy(); TestRunner agent = runner("anthropic", c -> { })) {
            JsonNode info = json(agent.client.get(Protocol.PATH_INFO).body());
            assertEquals(relay.toAbsolutePath().normalize().toString(), info.path("relay_dir").asText());
            int egressPort = info.path("egress_port").asInt();
            assertTrue(egressPort > 0, info.toString());
            assertEquals(egressPort, agent.runner.relay().egressPort());

            List<SseEvent> events = agent.client.turn("[[bash: echo $HTTPS_PROXY $HTTP_PROXY $https_proxy $http_proxy; echo $NO_PROXY $no_proxy]]");
            SseEvent result = named(events, "tool_result").get(0);
            String url = "http://127.0.0.1:" + egressPort;
            String noProxy = "localhost,127.0.0.1,::1";
            assertEquals(url + " " + url + " " + url + " " + url + "\n" + noProxy + " " + noProxy + "\n", result.data().path("output").asText(),
                    "the sandbox's own loopback is reached directly, not through the kernel's proxy");
            assertEquals("done", last(events).name());
            assertEquals(2, proxy.requestLines().size(), "both model calls of the tool round went through the proxy");
        }
    }

    @Test
    void aToolsHttpRequestGoesThroughTheProxy() throws IOException {
        try (TestEgressProxy proxy = proxy(); TestRunner agent = runner("anthropic", c -> { })) {
            String target = "http://127.0.0.1:" + llm.port() + "/health";
            // bash's /dev/tcp ignores proxies, so speak to the proxy by hand the way curl would
            String cmd = "p=${HTTP_PROXY#http://}; exec 3<>/dev/tcp/${p%:*}/${p##*:}; printf 'GET " + target
                    + " HTTP/1.0\\r\\n\\r\\n' >&3; head -1 <&3";
            List<SseEvent> events = agent.client.turn("[[bash: " + cmd + "]]");
            String output = named(events, "tool_result").get(0).data().path("output").asText();
            assertTrue(output.startsWith("HTTP/1.1 200"), output);
            assertTrue(proxy.requestLines().contains("GET " + target + " HTTP/1.0"), proxy.requestLines().toString());
        }
    }

    @Test
    void theAgentBusIsRelayedOnBusSockAndItsLlmVoterUsesTheProxy() throws IOException {
        try (TestEgressProxy proxy = proxy(); TestRunner agent = runner("anthropic", c -> {
            c.put("agentbus_port", 0);
            c.put("agentbus_llm_voter", true);
        })) {
            String entries = http10(relay.resolve(RelaySockets.BUS), "GET", "/bus/tester.agent-test/entries?start=0&timeout_ms=0", null);
            assertTrue(entries.startsWith("HTTP/1.1 200"), entries);

            agent.client.turn("[[bash: echo reviewed > r.txt]]");
            List<RecordedRequest> api = apiRequests();
            assertTrue(api.stream().anyMatch(r -> r.body() != null && r.body().toString().contains("You review tool calls")),
                    "the LLM voter asked the model");
            assertEquals(api.size(), proxy.requestLines().size(), "every model call, the voter's included, went through the proxy");
        }
    }

    @Test
    void withoutTheKernelsProxyTheTurnFailsNamingTheEgressProxy() {
        Runner.Options noRetries = new Runner.Options(4096, Duration.ofMillis(200), 0);
        try (TestRunner agent = runner("anthropic", c -> { }, noRetries)) {
            SseEvent end = last(agent.client.turn("hello"));
            assertEquals("error", end.name());
            String error = end.data().path("error").asText();
            assertTrue(error.contains("egress proxy 127.0.0.1:" + agent.runner.relay().egressPort()), error);
            assertTrue(apiRequests().isEmpty());
        }
    }

    @Test
    void closeRemovesTheSocketsItMadeAndRefusesConnections() throws IOException {
        TestRunner agent = runner("anthropic", c -> c.put("agentbus_port", 0));
        Path http = relay.resolve(RelaySockets.HTTP);
        Path bus = relay.resolve(RelaySockets.BUS);
        assertTrue(Files.exists(http, LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(bus, LinkOption.NOFOLLOW_LINKS));
        int egressPort = agent.runner.relay().egressPort();
        agent.close();
        assertFalse(Files.exists(http, LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(bus, LinkOption.NOFOLLOW_LINKS));
        assertThrows(IOException.class, () -> connect(http).close());
        assertThrows(IOException.class, () -> new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), egressPort).close());
    }

    @Test
    void withoutRelayDirNothingChanges() {
        try (TestRunner agent = TestRunner.start(tmp.resolve("plain"), TestRunner.config("anthropic", llm.anthropicBaseUrl(), c -> { }))) {
            assertNull(agent.runner.relay());
            JsonNode info = json(agent.client.get(Protocol.PATH_INFO).body());
            assertFalse(info.has("relay_dir"));
            assertFalse(info.has("egress_port"));
            assertEquals("Echo: direct", text(agent.client.turn("direct")));
        }
    }
}
