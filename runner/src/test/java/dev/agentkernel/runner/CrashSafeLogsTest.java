package dev.agentkernel.runner;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.fakellm.junit.FakeLlm;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.runner.store.SmallDisk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static dev.agentkernel.runner.RunnerClient.last;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 12 point 5: a runner that died mid-write, or a disk that filled up mid-turn, must neither stop the next
 * runner from starting nor cost a message that was committed (answered in {@code /history}) before it.
 */
class CrashSafeLogsTest {
    @FakeLlm
    static FakeLlmServer llm;
    @TempDir
    Path tmp;

    private TestRunner start(Path dir, Path stateDir) {
        return TestRunner.start(dir, TestRunner.config("anthropic", llm.anthropicBaseUrl(), c -> {
            c.put("state_dir", stateDir.toString());
            c.put("workspace", dir.resolve("workspace").toString());
            c.put("agentbus_port", 0);
        }));
    }

    private static byte[] torn(String kind) {
        return switch (kind) {
            case "ascii" -> "{\"role\":\"user\",\"content\":\"caf".getBytes(StandardCharsets.US_ASCII);
            // "caf" and the first byte of the two-byte é: what a write cut in the middle of a character leaves
            case "utf8" -> new byte[] {'{', '"', 'r', 'o', 'l', 'e', '"', ':', '"', 'u', 's', 'e', 'r', '"', ',', '"', 'c', 'o',
                    'n', 't', 'e', 'n', 't', '"', ':', '"', 'c', 'a', 'f', (byte) 0xc3};
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static JsonNode history(TestRunner agent) {
        var response = agent.client.get(Protocol.PATH_HISTORY);
        assertEquals(200, response.statusCode(), response.body());
        return RunnerClient.json(response.body());
    }

    private static void assertEveryLineWhole(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(bytes.length == 0 || bytes[bytes.length - 1] == '\n', file + " ends with a whole line");
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            if (line.isEmpty()) continue;
            assertDoesNotThrow(() -> Protocol.json().readTree(line), "a glued or torn line in " + file + ": " + line);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ascii", "utf8"})
    void tornLastLinesInBothLogsDoNotStopTheRunnerAndLoseNothingCommitted(String kind) throws Exception {
        Path dir = tmp.resolve("agent");
        Path state = Files.createDirectories(tmp.resolve("state"));
        Path history = state.resolve(Protocol.HISTORY_FILE);
        Path bus = state.resolve(Protocol.AGENTBUS_FILE);
        Files.writeString(history, "{\"role\":\"user\",\"content\":\"caf\u00e9 one\"}\n"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Echo: caf\u00e9 one\"}]}\n");
        Files.write(history, torn(kind), StandardOpenOption.APPEND);
        Files.writeString(bus, "{\"position\":0,\"timestamp\":\"2026-01-01T00:00:00Z\",\"type\":\"intention\",\"payload\":{\"i\":0}}\n");
        Files.write(bus, torn(kind), StandardOpenOption.APPEND);

        JsonNode before;
        try (TestRunner agent = start(dir, state)) {
            assertEquals(2, history(agent).size(), "the two whole messages are loaded, the torn line skipped");
            assertEquals("done", last(agent.client.turn("two")).name());
            before = history(agent);
            assertEquals(4, before.size());
        }
        try (TestRunner agent = start(dir, state)) {
            assertEquals(before, history(agent), "a restart finds every committed message, none glued");
        }
        assertEveryLineWhole(history);
        assertEveryLineWhole(bus);
        assertTrue(Files.readAllLines(bus).size() >= 1);
    }

    @Test
    void aDiskThatFillsUpDuringATurnCostsNoCommittedMessageAfterARestart() throws Exception {
        Path dir = tmp.resolve("agent");
        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("disk"), 128)) {
            JsonNode before;
            List<String> terminal = new ArrayList<>();
            try (TestRunner agent = start(dir, disk.dir())) {
                assertEquals("done", last(agent.client.turn("hello one")).name());
                disk.fill();
                // a big user message and a tool whose output is big: some append of this turn finds the disk full
                terminal.add(last(agent.client.turn("[[bash: head -c 3000 /dev/zero | tr '\\\\0' z]] " + "p".repeat(6000))).name());
                disk.free();
                assertEquals("done", last(agent.client.turn("hello three")).name(), "the disk has room again");
                before = history(agent);
            }
            assertEquals(List.of("error"), terminal, "the turn that hit the full disk ends with an error");
            try (TestRunner agent = start(dir, disk.dir())) {
                JsonNode after = history(agent);
                assertEquals(before, after, "every committed message is there after the restart, none glued or lost");
                List<String> texts = new ArrayList<>();
                after.forEach(m -> texts.add(m.path("content").toString()));
                assertTrue(texts.stream().anyMatch(t -> t.contains("Echo: hello three")), texts.toString());
            }
            assertEveryLineWhole(disk.dir().resolve(Protocol.HISTORY_FILE));
            assertEveryLineWhole(disk.dir().resolve(Protocol.AGENTBUS_FILE));
        }
    }
}
