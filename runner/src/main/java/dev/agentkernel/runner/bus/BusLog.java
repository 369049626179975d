package dev.agentkernel.runner.bus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.protocol.Protocol;

import java.io.IOException;
import java.io.OutputStream;
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
 * line per entry, so a crash loses at most the entry being written. Reopening continues the positions.
 */
public final class BusLog implements AutoCloseable {
    public static final String FILE = dev.agentkernel.protocol.Protocol.AGENTBUS_FILE;
    private static final Logger LOG = Logger.getLogger(BusLog.class.getName());

    private final String busId;
    private final Path file;
    private final List<BusEntry> entries = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    private final OutputStream out;
    private boolean closed;

    public BusLog(String busId, Path stateDir) throws IOException {
        this.busId = busId;
        this.file = stateDir.resolve(FILE);
        load();
        this.out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** {@code {agent_name}.{agent_id}}, as the seed names buses. */
    public String busId() {
        return busId;
    }

    public Path file() {
        return file;
    }

    private void load() throws IOException {
        if (!Files.exists(file)) return;
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            try {
                BusEntry e = BusEntry.fromJson(Protocol.json().readTree(line));
                entries.add(new BusEntry(entries.size(), e.timestamp(), e.type(), e.payload()));
            } catch (IOException | IllegalArgumentException e) {
                // a runner killed mid-write leaves a torn last line; anything before it is intact
                LOG.warning("skipping unreadable line " + (i + 1) + " of " + file + ": " + e.getMessage());
            }
        }
        if (!lines.isEmpty() && !Files.readString(file).endsWith("\n")) {
            // start the next entry on a line of its own, not glued to the torn one
            Files.writeString(file, "\n", StandardOpenOption.APPEND);
        }
    }

    /** Appends and flushes one entry, then wakes every waiting reader. */
    public BusEntry append(String type, JsonNode payload) {
        lock.lock();
        try {
            if (closed) throw new IllegalStateException("the bus log " + file + " is closed");
            BusEntry entry = new BusEntry(entries.size(), Instant.now().toString(), type, payload);
            out.write(Protocol.json().writeValueAsBytes(entry.toJson()));
            out.write('\n');
            out.flush();
            entries.add(entry);
            appended.signalAll();
            return entry;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the bus log " + file, e);
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
    public List<BusEntry> read(long start, int max, Duration timeout) throws InterruptedException {
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
