package dev.agentkernel.runner;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.protocol.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** RunnerMain as the kernel starts it: a real JVM process, its stdout line, exit codes and SIGTERM. */
class RunnerMainProcessTest {
    private static final Pattern READY = Pattern.compile("runner ready on http://127\\.0\\.0\\.1:(\\d+)");
    @TempDir
    Path dir;
    @RegisterExtension
    final RunnerProcesses runners = new RunnerProcesses();

    private Process launch(String configJson) throws IOException {
        List<String> flags = new ArrayList<>(RunnerProcesses.QUICK_START);
        flags.add("-Xshare:auto");
        return runners.launch(dir, configJson, flags);
    }

    private Process start(List<String> jvmFlags, String... args) throws IOException {
        return runners.start(dir.resolve("runner.err"), jvmFlags, args);
    }

    /**
     * The archive flag itself ({@code -XX:ArchiveClassesAtExit}) needs a class path of jars only, which the
     * test class path is not; the launcher measurement in the report used the packaged jar.
     */
    @Test
    void cdsTrainingStartsAThrowawayAgentAnswersHealthAndExitsZero() throws Exception {
        Process p = start(List.of("-XX:+UseSerialGC"), "--cds-training");
        // training runs real turns through both providers' SDKs: 10 s alone, over 30 s on a loaded 2-core machine
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "training did not finish in 180 s");
        assertEquals(0, p.exitValue(), stderr());
        assertEquals("", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8), "no ready line: nobody should connect");
    }

    private String stderr() throws IOException {
        return Files.readString(dir.resolve("runner.err"));
    }

    @Test
    void missingRequiredFieldsExitWithBadConfigAndOneLine() throws Exception {
        Process p = launch("{\"nonce\":\"n\",\"http_port\":0}");
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(Protocol.EXIT_BAD_CONFIG, p.exitValue());
        String err = stderr().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("missing required field agent_id"), err);
    }

    @Test
    void anUnknownToolExitsWithBadConfig() throws Exception {
        Process p = launch("{\"agent_id\":\"a\",\"nonce\":\"secret-n\",\"http_port\":0,\"tools\":[\"web\"]}");
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(Protocol.EXIT_BAD_CONFIG, p.exitValue());
        assertTrue(stderr().contains("unknown tool 'web'"));
        assertFalse(stderr().contains("secret-n"));
    }

    @Test
    void aMissingRelayDirExitsWithBadConfigNamingIt() throws Exception {
        Path missing = dir.resolve("no-such-relay");
        Process p = launch("{\"agent_id\":\"a\",\"nonce\":\"n\",\"http_port\":0,\"relay_dir\":\"" + missing + "\"}");
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(Protocol.EXIT_BAD_CONFIG, p.exitValue(), stderr());
        String err = stderr().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("relay_dir '" + missing + "' is not an existing directory"), err);
    }

    @Test
    void aTakenPortExitsWithPortInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process p = launch("{\"agent_id\":\"a\",\"nonce\":\"n\",\"http_port\":" + taken.getLocalPort() + "}");
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            assertEquals(Protocol.EXIT_PORT_IN_USE, p.exitValue(), stderr());
            assertTrue(stderr().contains("port is taken"), stderr());
        }
    }

    @Test
    void servesAfterTheReadyLineAndSigtermKillsTheToolAndExitsZero() throws Exception {
        try (FakeLlmServer llm = FakeLlmServer.start(0)) {
            ObjectNode config = TestRunner.config("anthropic", llm.anthropicBaseUrl(), c -> c.put("bash_timeout_seconds", 60));
            Process p = launch(config.toString());
            String line;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                line = out.readLine();
            }
            Matcher m = READY.matcher(line == null ? "" : line);
            assertTrue(m.matches(), "ready line: " + line + " / " + stderr());
            RunnerClient client = new RunnerClient("http://127.0.0.1:" + m.group(1), TestRunner.NONCE);
            assertEquals(200, client.get("/health", null).statusCode());
            assertEquals(p.pid(), RunnerClient.json(client.get("/info").body()).path("pid").asLong());

            Path pidFile = dir.resolve("workspace").resolve("sleep.pid");
            try (RunnerClient.TurnStream turn = client.openTurn("[[bash: sleep 30 & echo $! > sleep.pid; wait]]")) {
                assertNotNull(turn.nextMatching(e -> e.name().equals("tool_use")));
                long deadline = System.currentTimeMillis() + 5000;
                while ((!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
                long sleepPid = Long.parseLong(Files.readString(pidFile).trim());
                p.toHandle().destroy(); // SIGTERM
                assertTrue(p.waitFor(10, TimeUnit.SECONDS), "runner must exit on SIGTERM");
                assertEquals(0, p.exitValue(), stderr());
                assertTrue(Processes.diesSoon(sleepPid), "the tool's process is killed");
            }
            assertTrue(Files.readString(dir.resolve("history.jsonl")).contains("sleep 30"), "history was kept");
            assertFalse(stderr().contains(TestRunner.NONCE));
            assertFalse(stderr().contains("test-key"));
        }
    }
}
