package dev.agentkernel.runner.loop;

import dev.agentkernel.runner.model.ChatMessage;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class HistoryStoreTest {
    @TempDir
    Path dir;

    @Test
    void messagesAreAppendedAsJsonLinesAndLoadedBack() throws Exception {
        try (HistoryStore store = new HistoryStore(dir)) {
            Conversation c = new Conversation(store);
            c.append(ChatMessage.userText("hi\nthere"));
            var blocks = JsonNodeFactory.instance.arrayNode();
            blocks.addObject().put("type", "text").put("text", "hello");
            blocks.addObject().put("type", "tool_use").put("id", "t1").put("name", "bash").putObject("input").put("command", "ls");
            c.append(new ChatMessage("assistant", blocks));
            var results = JsonNodeFactory.instance.arrayNode();
            results.addObject().put("type", "tool_result").put("tool_use_id", "t1").put("content", "a.txt");
            c.append(new ChatMessage("user", results));
        }
        List<String> lines = Files.readAllLines(dir.resolve("history.jsonl"));
        assertEquals(3, lines.size(), "one line per message, newlines escaped");
        assertEquals("{\"role\":\"user\",\"content\":\"hi\\nthere\"}", lines.get(0));
        try (HistoryStore store = new HistoryStore(dir)) {
            Conversation resumed = new Conversation(store);
            assertEquals(3, resumed.size());
            assertEquals("hi\nthere", resumed.snapshot().get(0).text());
            assertEquals("ls", resumed.snapshot().get(1).content().get(1).path("input").path("command").asText());
            resumed.append(ChatMessage.userText("third"));
        }
        assertEquals(4, Files.readAllLines(dir.resolve("history.jsonl")).size(), "appends, never rewrites");
    }

    @Test
    void toolCallsLeftPendingByAKilledRunnerGetAnErrorResultOnLoad() throws Exception {
        Files.writeString(dir.resolve("history.jsonl"), """
                {"role":"user","content":"run it"}
                {"role":"assistant","content":[{"type":"text","text":"ok"},{"type":"tool_use","id":"t9","name":"bash","input":{"command":"sleep 99"}}]}
                """);
        try (HistoryStore store = new HistoryStore(dir)) {
            Conversation c = new Conversation(store);
            assertEquals(3, c.size());
            var result = c.snapshot().get(2).content().get(0);
            assertEquals("tool_result", result.path("type").asText());
            assertEquals("t9", result.path("tool_use_id").asText());
            assertTrue(result.path("is_error").asBoolean());
        }
        assertEquals(3, Files.readAllLines(dir.resolve("history.jsonl")).size(), "the repair is persisted");
        try (HistoryStore store = new HistoryStore(dir)) {
            assertEquals(3, new Conversation(store).size(), "and not repeated");
        }
    }

    @Test
    void aTornLastLineIsSkipped() throws Exception {
        Files.writeString(dir.resolve("history.jsonl"), "{\"role\":\"user\",\"content\":\"ok\"}\n{\"role\":\"assis");
        try (HistoryStore store = new HistoryStore(dir)) {
            List<ChatMessage> loaded = store.load();
            assertEquals(1, loaded.size());
            assertEquals("ok", loaded.get(0).text());
        }
    }

    /** Bytes of a line torn in the middle of a two-byte UTF-8 character: {@code "caf\xc3"}, no newline. */
    static final byte[] TORN_UTF8 = {'{', '"', 'r', 'o', 'l', 'e', '"', ':', '"', 'u', 's', 'e', 'r', '"', ',',
            '"', 'c', 'o', 'n', 't', 'e', 'n', 't', '"', ':', '"', 'c', 'a', 'f', (byte) 0xc3};

    @Test
    void aTornUtf8LastLineIsSkippedAndTheNextAppendStartsOnALineOfItsOwn() throws Exception {
        Files.writeString(dir.resolve("history.jsonl"), "{\"role\":\"user\",\"content\":\"café\"}\n");
        Files.write(dir.resolve("history.jsonl"), TORN_UTF8, StandardOpenOption.APPEND);
        try (HistoryStore store = new HistoryStore(dir)) {
            Conversation c = new Conversation(store);
            assertEquals(List.of("café"), c.snapshot().stream().map(ChatMessage::text).toList());
            c.append(ChatMessage.userText("after the tear"));
        }
        try (HistoryStore store = new HistoryStore(dir)) {
            assertEquals(List.of("café", "after the tear"), store.load().stream().map(ChatMessage::text).toList(),
                    "the message appended after the torn line is not glued onto it");
        }
    }

    @Test
    void aTornAsciiLastLineIsCutSoTheNextAppendIsNotGluedOntoIt() throws Exception {
        Files.writeString(dir.resolve("history.jsonl"), "{\"role\":\"user\",\"content\":\"ok\"}\n{\"role\":\"assis");
        try (HistoryStore store = new HistoryStore(dir)) {
            new Conversation(store).append(ChatMessage.userText("next"));
        }
        List<String> lines = Files.readAllLines(dir.resolve("history.jsonl"));
        assertEquals(List.of("{\"role\":\"user\",\"content\":\"ok\"}", "{\"role\":\"user\",\"content\":\"next\"}"), lines);
    }

    @Test
    void aCompleteLastRecordWithoutItsNewlineIsKeptAndTerminated() throws Exception {
        Files.writeString(dir.resolve("history.jsonl"), "{\"role\":\"user\",\"content\":\"whole\"}");
        try (HistoryStore store = new HistoryStore(dir)) {
            Conversation c = new Conversation(store);
            assertEquals(1, c.size());
            c.append(ChatMessage.userText("next"));
        }
        assertEquals(2, Files.readAllLines(dir.resolve("history.jsonl")).size());
    }

    @Test
    void anInvalidUtf8LineInTheMiddleIsSkippedAndTheLinesAfterItKept() throws Exception {
        Path file = dir.resolve("history.jsonl");
        Files.write(file, new byte[] {'{', '"', 'r', 'o', 'l', 'e', '"', ':', '"', 'u', 's', 'e', 'r', '"', ',', '"', 'c', 'o', 'n',
                't', 'e', 'n', 't', '"', ':', '"', (byte) 0xff, '"', '}', '\n'});
        Files.writeString(file, "{\"role\":\"user\",\"content\":\"later\"}\n", StandardOpenOption.APPEND);
        try (HistoryStore store = new HistoryStore(dir)) {
            assertEquals(List.of("later"), store.load().stream().map(ChatMessage::text).toList());
        }
    }

    @Test
    void anAppendThatFailsOnAFullDiskLeavesNoTornLine() throws Exception {
        try (dev.agentkernel.runner.store.SmallDisk disk = dev.agentkernel.runner.store.SmallDisk.mount(dir.resolve("disk"), 64)) {
            Path state = disk.dir();
            try (HistoryStore store = new HistoryStore(state)) {
                Conversation c = new Conversation(store);
                c.append(ChatMessage.userText("first"));
                disk.fill();
                String big = "x".repeat(20_000);
                assertThrows(java.io.UncheckedIOException.class, () -> c.append(ChatMessage.userText(big)));
                assertEquals(1, c.size(), "a message that did not reach the file is not in the conversation either");
                disk.free();
                c.append(ChatMessage.userText("second"));
            }
            List<String> lines = Files.readAllLines(state.resolve("history.jsonl"));
            assertEquals(List.of("{\"role\":\"user\",\"content\":\"first\"}", "{\"role\":\"user\",\"content\":\"second\"}"), lines);
        }
    }

    @Test
    void lastNReturnsTheNewestOldestFirst() {
        try (HistoryStore store = new HistoryStore(dir)) {
            Conversation c = new Conversation(store);
            for (int i = 0; i < 5; i++) {
                c.append(ChatMessage.userText("m" + i));
            }
            assertEquals(List.of("m3", "m4"), c.last(2).stream().map(ChatMessage::text).toList());
            assertEquals(5, c.last(-1).size());
            assertEquals(5, c.last(50).size());
            assertTrue(c.last(0).isEmpty());
        }
    }

    @Test
    void appendingSurvivesAnInterruptedThread() throws Exception {
        // a cancelled turn's thread is interrupted; history must still be writable from it
        try (HistoryStore store = new HistoryStore(dir)) {
            store.append(ChatMessage.userText("before"));
            Thread.currentThread().interrupt();
            try {
                store.append(ChatMessage.userText("during"));
            } finally {
                Thread.interrupted();
            }
            store.append(ChatMessage.userText("after"));
        }
        assertEquals(3, Files.readAllLines(dir.resolve("history.jsonl")).size());
    }

    @Test
    void newMessagesAreInTheFileAtOnceAndTheirFsyncFollowsInTheBackground() throws Exception {
        try (HistoryStore store = new HistoryStore(dir)) {
            Conversation c = new Conversation(store);
            var durable = c.appendSyncingInBackground(List.of(ChatMessage.userText("one"), ChatMessage.userText("two")));
            assertEquals(2, Files.readAllLines(dir.resolve("history.jsonl")).size(), "written before the fsync");
            assertEquals(List.of("one", "two"), c.snapshot().stream().map(ChatMessage::text).toList());
            durable.get(10, java.util.concurrent.TimeUnit.SECONDS);
            c.append(ChatMessage.userText("three"));
        }
        assertEquals(3, Files.readAllLines(dir.resolve("history.jsonl")).size());
        try (HistoryStore store = new HistoryStore(dir)) {
            store.appendUnsynced(ChatMessage.userText("four"));
        } // close() syncs what was appended unsynced
        assertEquals(4, Files.readAllLines(dir.resolve("history.jsonl")).size());
    }

    @Test
    void invalidMessagesAreRejectedWithTheExpectedShape() {
        var f = JsonNodeFactory.instance;
        assertThrows(IllegalArgumentException.class, () -> new ChatMessage("system", f.textNode("x")));
        assertThrows(IllegalArgumentException.class, () -> new ChatMessage("user", f.numberNode(1)));
        var e = assertThrows(IllegalArgumentException.class, () -> ChatMessage.fromJson(f.objectNode().put("role", "user")));
        assertTrue(e.getMessage().contains("content"));
    }
}
