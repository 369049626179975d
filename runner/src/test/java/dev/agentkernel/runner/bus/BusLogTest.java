package dev.agentkernel.runner.bus;

import dev.agentkernel.protocol.BusLogEntry;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class BusLogTest {
    @TempDir
    Path dir;

    private static com.fasterxml.jackson.databind.node.ObjectNode payload(int i) {
        return JsonNodeFactory.instance.objectNode().put("i", i);
    }

    @Test
    void entriesAreOrderedFlushedPerLineAndPositionsContinueAfterReopen() throws Exception {
        try (BusLog log = new BusLog("w.a1", dir)) {
            for (int i = 0; i < 3; i++) assertEquals(i, log.append(BusLogEntry.VOTE, payload(i)).position());
            // flushed per entry: the file holds every line while the log is still open
            assertEquals(3, Files.readAllLines(dir.resolve(BusLog.FILE)).size());
        }
        try (BusLog log = new BusLog("w.a1", dir)) {
            assertEquals(3, log.append(BusLogEntry.DECISION, payload(3)).position());
            List<BusLogEntry> all = log.read(0, 100, Duration.ZERO);
            assertEquals(List.of(0L, 1L, 2L, 3L), all.stream().map(BusLogEntry::position).toList());
            assertEquals(2, all.get(2).payload().get("i").intValue());
            assertEquals(BusLogEntry.DECISION, all.get(3).type());
        }
    }

    @Test
    void aTornLastLineFromACrashIsSkippedAndEverythingBeforeItKept() throws Exception {
        try (BusLog log = new BusLog("w.a1", dir)) {
            log.append(BusLogEntry.INTENTION, payload(0));
            log.append(BusLogEntry.VOTE, payload(1));
        }
        Files.writeString(dir.resolve(BusLog.FILE), "{\"position\":2,\"type\":\"deci", StandardOpenOption.APPEND);
        try (BusLog log = new BusLog("w.a1", dir)) {
            assertEquals(2, log.size());
            assertEquals(2, log.append(BusLogEntry.DECISION, payload(2)).position());
        }
        try (BusLog log = new BusLog("w.a1", dir)) {
            assertEquals(3, log.size(), "the entry written after the torn line is on a line of its own");
        }
    }

    @Test
    void aTornUtf8LastLineDoesNotStopTheLogFromOpening() throws Exception {
        try (BusLog log = new BusLog("w.a1", dir)) {
            log.append(BusLogEntry.INTENTION, payload(0));
        }
        Files.write(dir.resolve(BusLog.FILE), new byte[] {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', 'c', 'a', 'f', (byte) 0xc3},
                StandardOpenOption.APPEND);
        try (BusLog log = new BusLog("w.a1", dir)) {
            assertEquals(1, log.size());
            assertEquals(1, log.append(BusLogEntry.DECISION, payload(1)).position());
        }
        try (BusLog log = new BusLog("w.a1", dir)) {
            assertEquals(2, log.size());
        }
        for (String line : Files.readAllLines(dir.resolve(BusLog.FILE))) {
            dev.agentkernel.protocol.Protocol.json().readTree(line); // every line is whole again: the torn bytes were cut
        }
    }

    @Test
    void anAppendThatFailsOnAFullDiskLeavesNoTornLine() throws Exception {
        try (dev.agentkernel.runner.store.SmallDisk disk = dev.agentkernel.runner.store.SmallDisk.mount(dir.resolve("disk"), 64)) {
            try (BusLog log = new BusLog("w.a1", disk.dir())) {
                log.append(BusLogEntry.INTENTION, payload(0));
                disk.fill();
                var big = JsonNodeFactory.instance.objectNode().put("text", "y".repeat(20_000));
                assertThrows(java.io.UncheckedIOException.class, () -> log.append(BusLogEntry.VOTE, big));
                assertEquals(1, log.size(), "a failed entry takes no position");
                disk.free();
                assertEquals(1, log.append(BusLogEntry.DECISION, payload(1)).position());
            }
            try (BusLog log = new BusLog("w.a1", disk.dir())) {
                assertEquals(2, log.size(), "the entry after the failed one is not glued onto a torn line");
            }
            assertEquals(2, Files.readAllLines(disk.dir().resolve(BusLog.FILE)).size());
        }
    }

    @Test
    void aReadPastTheEndWaitsItsTimeoutAndAnswersEmpty() throws Exception {
        try (BusLog log = new BusLog("w.a1", dir)) {
            log.append(BusLogEntry.VOTE, payload(0));
            long t0 = System.nanoTime();
            assertEquals(List.of(), log.read(50, 10, Duration.ofMillis(150)));
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(140));
        }
    }

    @Test
    void aWaitingReaderWakesAsSoonAsAnEntryIsAppended() throws Exception {
        try (BusLog log = new BusLog("w.a1", dir)) {
            CompletableFuture<List<BusLogEntry>> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return log.read(0, 10, Duration.ofSeconds(10));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(50);
            long t0 = System.nanoTime();
            log.append(BusLogEntry.VOTE, payload(7));
            List<BusLogEntry> got = read.get(5, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2));
            assertEquals(7, got.getFirst().payload().get("i").intValue());
        }
    }
}
