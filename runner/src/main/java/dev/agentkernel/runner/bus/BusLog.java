package dev.agentkernel.runner.bus;

import dev.agentkernel.protocol.BusLogEntry;
import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.runner.store.JsonLines;

import java.io.IOException;
import java.io.FileOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * The append-only log of one bus, kept in memory for readers and written to {@code agentbus.jsonl} one flushed
 * line per entry, so a crash loses at most the entry being written (torn lines: {@link JsonLines}). Reopening continues the positions.
 */
public final class BusLog implements AutoCloseable {
    public static final String FILE = dev.agentkernel.protocol.Protocol.AGENTBUS_FILE;
    private static final Logger LOG = Logger.getLogger(BusLog.class.getName());

    private final String busId;
    private final Path file;
    private final List<BusLogEntry> entries = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    private final FileOutputStream out;
    /** The file's size after the last whole line: where a failed append is cut back to. */
    private long size;
    private boolean closed;

    public BusLog(String busId, Path stateDir) throws IOException {
        this.busId = busId;
        this.file = stateDir.resolve(FILE);
        load();
        // not a channel: a cancelled turn's interrupt would close it for good (see JsonLines)
        this.out = new FileOutputStream(file.toFile(), true);
    }

    /** {@code {agent_name}.{agent_id}}, as the seed names buses. */
    public String busId() {
        return busId;
    }

    public Path file() {
        return file;
    }

    /** Skips lines a crash or a full disk left unreadable, and makes sure the next entry starts on a line of its own. */
    private void load() throws IOException {
        JsonLines.read(file, LOG, line -> {
            BusLogEntry e = BusLogEntry.fromJson(line);
            entries.add(new BusLogEntry(entries.size(), e.timestamp(), e.type(), e.payload()));
        });
        size = JsonLines.repairTail(file, LOG);
    }

    /**
     * Appends and flushes one entry, then wakes every waiting reader. All or nothing: a write that fails half-way
     * (a full disk) is cut back off the file and the entry takes no position.
     */
    public BusLogEntry append(String type, JsonNode payload) {
        lock.lock();
        try {
            if (closed) throw new IllegalStateException("the bus log " + file + " is closed");
            BusLogEntry entry = new BusLogEntry(entries.size(), Instant.now().toString(), type, payload);
            byte[] json = Protocol.json().writeValueAsBytes(entry.toJson());
            byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
            line[json.length] = '\n';
            size = JsonLines.append(out, file, size, line);
            entries.add(entry);
            appended.signalAll();
            return entry;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the bus log " + file + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    public int size() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Entries from {@code start} on (at most {@code max}); waits up to {@code timeout} while there are none.
     * A start past the end is not an error: it waits like any other read and may answer with nothing.
     */
    public List<BusLogEntry> read(long start, int max, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (entries.size() <= start && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return List.of();
                appended.await(left, TimeUnit.NANOSECONDS);
            }
            if (entries.size() <= start) return List.of();
            int from = (int) Math.max(0, start);
            return List.copyOf(entries.subList(from, (int) Math.min(entries.size(), (long) from + max)));
        } finally {
            lock.unlock();
        }
    }

    /** Wakes waiting readers; later appends fail. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            appended.signalAll();
            out.close();
        } catch (IOException e) {
            LOG.warning("cannot close " + file + ": " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }
}
