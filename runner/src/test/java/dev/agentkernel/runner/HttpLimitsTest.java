package dev.agentkernel.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.fakellm.junit.FakeLlm;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.protocol.RunnerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.agentkernel.runner.RunnerClient.last;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 12 point 6: the runner's HTTP servers have limits. The body limit is ours and is checked in this JVM; the
 * connection limits are the JDK server's, read once per process, so those tests start real runner processes with
 * short timeouts in their config. No assertion is tight in time: a limit of 1-2 s is checked with a 15 s bound.
 */
class HttpLimitsTest {
    private static final Pattern READY = Pattern.compile("runner ready on (http://127\\.0\\.0\\.1:(\\d+))");
    private static final long BODY_150_MB = 150L * 1024 * 1024;
    @FakeLlm
    static FakeLlmServer llm;
    @TempDir
    Path dir;
    private final List<Process> started = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        sockets.forEach(s -> {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        });
        started.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
    }

    // ------------------------------------------------------------------ body limit (in this JVM)

    private TestRunner runner(Consumer<ObjectNode> tweak) {
        return TestRunner.start(dir.resolve("agent"), TestRunner.config("anthropic", llm.anthropicBaseUrl(), tweak));
    }

    /** Sends {@code head}, then streams {@code bodyBytes} of filler on another thread; returns the status line and body. */
    private String postStreaming(int port, String head, long bodyBytes, boolean chunked) throws Exception {
        Socket s = socket(port);
        s.setSoTimeout(60_000);
        OutputStream out = s.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread writer = Thread.ofVirtual().start(() -> {
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) 'x');
            try {
                for (long sent = 0; sent < bodyBytes; sent += chunk.length) {
                    if (chunked) out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    if (chunked) out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                if (chunked) out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                // the runner answered and closed the connection while we were still sending: expected
            }
        });
        long t0 = System.nanoTime();
        String response = readResponse(s.getInputStream());
        System.out.println("BENCH 413 after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        s.close();
        writer.join(30_000);
        System.out.println("BENCH writer done after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        return response;
    }

    /** The status line and headers, then up to 16 KB of body: enough for an error answer. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        try {
            while (got.size() < 16 * 1024 && (n = in.read(buf)) != -1) {
                got.write(buf, 0, n);
                String text = got.toString(StandardCharsets.UTF_8);
                int end = text.indexOf("\r\n\r\n");
                Matcher len = Pattern.compile("(?i)content-length: (\\d+)").matcher(text);
                if (end >= 0 && len.find() && got.size() >= end + 4 + Integer.parseInt(len.group(1))) break;
            }
        } catch (IOException e) {
            if (got.size() == 0) throw e;
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    private static String turnHead(String transfer) {
        return "POST /turn HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TestRunner.NONCE + "\r\n"
                + "Content-Type: application/json\r\n" + transfer + "\r\n\r\n";
    }

    @Test
    void a150MbTurnBodyWithItsLengthIsRefusedWith413NamingTheLimitAndTheRunnerStaysHealthy() throws Exception {
        try (TestRunner agent = runner(c -> {})) {
            String response = postStreaming(agent.runner.port(), turnHead("Content-Length: " + BODY_150_MB), BODY_150_MB, false);
            assertTrue(response.startsWith("HTTP/1.1 413"), response);
            assertTrue(response.contains(String.valueOf(RunnerConfig.DEFAULT_MAX_TURN_BODY_BYTES)), "names the limit: " + response);
            assertTrue(response.contains("max_turn_body_bytes"), "says how to raise it: " + response);
            assertTrue(response.contains(String.valueOf(BODY_150_MB)), "names the size sent: " + response);
            assertHealthy(agent);
        }
    }

    @Test
    void a150MbChunkedTurnBodyIsRefusedWith413AfterTheLimitNotReadWhole() throws Exception {
        try (TestRunner agent = runner(c -> c.put("max_turn_body_bytes", 1024 * 1024))) {
            String response = postStreaming(agent.runner.port(), turnHead("Transfer-Encoding: chunked"), BODY_150_MB, true);
            assertTrue(response.startsWith("HTTP/1.1 413"), response);
            assertTrue(response.contains("1048576"), response);
            assertFalse(response.contains("not JSON"), "not the misleading 400: " + response);
            assertHealthy(agent);
        }
    }

    @Test
    void aValidMessageOverTheLimitGets413NotNotJson() {
        try (TestRunner agent = runner(c -> c.put("max_turn_body_bytes", 64 * 1024))) {
            var response = agent.client.post(Protocol.PATH_TURN, RunnerClient.turnBody("m".repeat(100_000)), TestRunner.NONCE);
            assertEquals(413, response.statusCode(), response.body());
            assertTrue(RunnerClient.json(response.body()).path("error").asText().contains("65536"), response.body());
            assertHealthy(agent);
        }
    }

    @Test
    void aBodyLimitOutsideItsRangeIsABadConfig() {
        var e = assertThrows(IllegalStateException.class,
                () -> runner(c -> c.put("max_turn_body_bytes", RunnerConfig.MAX_TURN_BODY_BYTES_CEILING + 1)).close());
        assertTrue(e.getMessage().contains("max_turn_body_bytes"), e.getMessage());
    }

    private static void assertHealthy(TestRunner agent) {
        assertEquals(200, agent.client.get(Protocol.PATH_HEALTH, null).statusCode());
        assertEquals("done", last(agent.client.turn("still here")).name());
    }

    // ------------------------------------------------------------------ connection limits (a real runner process)

    private record Launched(Process process, String url, int port, int busPort) {}

    private Launched launch(Consumer<ObjectNode> tweak) throws Exception {
        Path agentDir = Files.createDirectories(dir.resolve("proc-" + started.size()));
        ObjectNode config = TestRunner.config("anthropic", llm.anthropicBaseUrl(), c -> {
            c.put("agentbus_port", 0);
            tweak.accept(c);
        });
        Path file = agentDir.resolve("config.json");
        Files.writeString(file, config.toString());
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), RunnerMain.class.getName(), "--config", file.toString());
        Process p = new ProcessBuilder(command).redirectError(agentDir.resolve("runner.err").toFile())
                .redirectOutput(ProcessBuilder.Redirect.PIPE).start();
        started.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            Matcher m = READY.matcher(line);
            if (m.find()) {
                RunnerClient client = new RunnerClient(m.group(1), TestRunner.NONCE);
                JsonNode info = RunnerClient.json(client.get(Protocol.PATH_INFO).body());
                return new Launched(p, m.group(1), Integer.parseInt(m.group(2)), info.path("agentbus_port").asInt());
            }
        }
        fail("the runner did not start: " + Files.readString(agentDir.resolve("runner.err")));
        return null;
    }

    private Socket socket(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        sockets.add(s);
        return s;
    }

    /** True when the server closes {@code s} within {@code seconds} (reads -1 or a reset). */
    private static boolean closedByServerWithin(Socket s, int seconds) throws IOException {
        long t0 = System.nanoTime();
        try {
            return closedWithin(s, seconds);
        } finally {
            System.out.println("BENCH closed after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
    }

    private static boolean closedWithin(Socket s, int seconds) throws IOException {
        s.setSoTimeout(seconds * 1000);
        try {
            InputStream in = s.getInputStream();
            while (in.read() != -1) {
                // a response to what we sent: keep reading until the close
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    private static void assertHealthyWithin(Launched runner, int seconds) throws Exception {
        RunnerClient client = new RunnerClient(runner.url(), TestRunner.NONCE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            try {
                if (client.get(Protocol.PATH_HEALTH, null).statusCode() == 200) break;
            } catch (RuntimeException notYet) {
                // connection refused or closed while the old connections are being let go
            }
            if (System.nanoTime() > deadline) fail("the runner did not answer /health again within " + seconds + " s");
            Thread.sleep(200);
        }
        assertEquals("done", last(client.turn("still here")).name(), "and takes a turn");
        assertTrue(runner.process().isAlive());
    }

    @Test
    void connectionsOverTheCapAreClosedAndTheRunnerServesAgainOnceTheyGo() throws Exception {
        Launched runner = launch(c -> c.put("http_max_connections", 8));
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Socket s = socket(runner.port());
            send(s, "GET /health HTTP/1.1\r\n"); // a request begun, never finished
            held.add(s);
        }
        Thread.sleep(300); // let the server accept them all
        Socket over = socket(runner.port());
        send(over, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        String answer = readResponseQuietly(over);
        assertFalse(answer.startsWith("HTTP/1.1 200"), "the 9th connection is not served: " + answer);
        for (Socket s : held) s.close();
        assertHealthyWithin(runner, 20);
    }

    private static String readResponseQuietly(Socket s) {
        try {
            s.setSoTimeout(15_000);
            return readResponse(s.getInputStream());
        } catch (IOException e) {
            return "closed: " + e;
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheConfiguredTimeout() throws Exception {
        Launched runner = launch(c -> c.put("http_idle_timeout_seconds", 1));
        Socket s = socket(runner.port());
        send(s, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        s.setSoTimeout(10_000);
        byte[] buf = new byte[256];
        int n = s.getInputStream().read(buf);
        assertTrue(new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"));
        assertTrue(closedByServerWithin(s, 15), "an idle keep-alive connection is closed (timeout 1 s)");
        // also on the AgentBus server
        Socket bus = socket(runner.busPort());
        send(bus, "GET /bus HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestRunner.NONCE + "\r\n\r\n");
        assertTrue(closedByServerWithin(bus, 15), "the bus server closes idle connections too");
        assertHealthyWithin(runner, 10);
    }

    @Test
    void slowHeadersASlowBodyAndASilentConnectionAreClosedAfterTheRequestTimeout() throws Exception {
        Launched runner = launch(c -> c.put("http_request_timeout_seconds", 2));
        Socket silent = socket(runner.port());
        Socket slowHeaders = socket(runner.port());
        Socket slowBody = socket(runner.port());
        Socket slowBus = socket(runner.busPort());
        send(slowHeaders, "GET /health HTTP/1.1\r\n");
        send(slowBus, "GET /bus HTTP/1.1\r\n");
        send(slowBody, turnHead("Content-Length: 1000") + "{\"messages\":");
        // keep the slow ones trickling: one header line every 300 ms, never the blank line that ends them
        Thread trickle = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < 60; i++) {
                    Thread.sleep(300);
                    send(slowHeaders, "X-Slow-" + i + ": y\r\n");
                    send(slowBus, "X-Slow-" + i + ": y\r\n");
                    send(slowBody, " ");
                }
            } catch (IOException | InterruptedException closed) {
                // the server closed them: what the test waits for
            }
        });
        assertTrue(closedByServerWithin(silent, 15), "a connection that never sends a byte is closed");
        assertTrue(closedByServerWithin(slowHeaders, 15), "headers that never end are cut off");
        assertTrue(closedByServerWithin(slowBody, 15), "a body that never completes is cut off");
        assertTrue(closedByServerWithin(slowBus, 15), "on the AgentBus server too");
        trickle.interrupt();
        assertHealthyWithin(runner, 10);
    }
}
