package dev.agentkernel.runner.bus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.runner.RunnerClient;
import dev.agentkernel.runner.RunnerMain;
import dev.agentkernel.runner.RunnerProcesses;
import dev.agentkernel.runner.TestRunner;
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

import static org.junit.jupiter.api.Assertions.*;

/** RunnerMain as a real process: a taken bus port, and a kill -9 in the middle of a gated turn. */
class BusProcessTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final RunnerProcesses runners = new RunnerProcesses();

    private Process launch(ObjectNode config) throws IOException {
        return runners.launch(dir, config.toString(), RunnerProcesses.QUICK_START);
    }

    private String stderr() throws IOException {
        return Files.readString(dir.resolve("runner.err"));
    }

    @Test
    void aTakenBusPortExitsWithItsOwnCodeAndNamesThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Process p = launch(TestRunner.config("anthropic", "http://127.0.0.1:9", c -> c.put("agentbus_port", port)));
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            assertEquals(BusService.EXIT_BUS_PORT_IN_USE, p.exitValue(), stderr());
            assertTrue(stderr().contains("agentbus port " + port + " is taken"), stderr());
        }
    }

    @Test
    void aRunnerKilledMidTurnKeepsItsLogAndARestartContinuesIt() throws Exception {
        int busPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            busPort = s.getLocalPort();
        }
        try (FakeLlmServer llm = FakeLlmServer.start(0)) {
            ObjectNode config = TestRunner.config("anthropic", llm.anthropicBaseUrl(), c -> {
                c.put("agentbus_port", busPort);
                c.putArray("agentbus_voters").add("rules").add("external");
                c.put("agentbus_vote_timeout_ms", 60_000);
            });
            Process first = launch(config);
            RunnerClient client = client(first);
            BusTestClient bus = new BusTestClient(busPort, "tester.agent-test", TestRunner.NONCE);
            try (RunnerClient.TurnStream turn = client.openTurn("[[bash: echo never > crash.txt]]")) {
                bus.await(e -> e.get("type").asText().equals("intention"));
                first.destroyForcibly(); // kill -9 while the intention waits for its vote
                assertTrue(first.waitFor(10, TimeUnit.SECONDS));
            }
            assertFalse(Files.exists(dir.resolve("workspace/crash.txt")));
            List<String> lines = Files.readAllLines(dir.resolve(BusLog.FILE));
            assertEquals(3, lines.size(), "inference_input, inference_output, intention: " + lines);

            Process second = launch(config);
            RunnerClient again = client(second);
            List<JsonNode> before = bus.entries(0, 0);
            assertEquals(List.of("inference_input", "inference_output", "intention"), BusTestClient.types(before));
            String oldId = before.get(2).at("/payload/intention_id").asText();
            assertEquals(409, bus.vote(oldId, true, "late").statusCode(), "an intention of the dead run cannot be voted on");

            List<dev.agentkernel.runner.SseEvent> events = again.turn("hello again");
            assertEquals("done", RunnerClient.last(events).name());
            List<JsonNode> after = bus.entries(3, 0);
            assertEquals(3, after.getFirst().get("position").intValue(), "positions continue after the restart");
            assertEquals("inference_input", after.getFirst().get("type").asText());
        }
    }

    private RunnerClient client(Process p) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertNotNull(line, "no ready line: " + stderr());
        return new RunnerClient(line.substring(line.indexOf("http://")), TestRunner.NONCE);
    }
}
