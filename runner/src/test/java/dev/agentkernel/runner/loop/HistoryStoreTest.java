package dev.agentkernel.runner.loop;

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
