package dev.agentkernel.runner.loop;

import dev.agentkernel.runner.model.ChatMessage;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.runner.store.JsonLines;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Logger;

/**
 * The append-only conversation log {@code <state_dir>/history.jsonl}: one JSON message per line, fsynced per
 * append so a killed runner loses at most the message it was writing.
 * <p>
 * {@link #appendUnsynced} and {@link #syncInBackground} split an append: the line is written at once (a killed
 * runner keeps it: it is in the OS's hands) and the fsync, which only matters if the machine itself goes down,
 * runs on another thread while the caller gets on with its work.
 * <p>
 * It uses a {@link FileOutputStream} rather than a {@code FileChannel} on purpose: cancelling a turn interrupts
 * its thread, and an interrupt closes an interruptible channel for good.
 */
public final class HistoryStore implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HistoryStore.class.getName());
    private final Path file;
    private final ObjectMapper json = Protocol.json();
    private FileOutputStream out;
    /** The file's size after the last whole line: where a failed append is cut back to. */
    private long size;
    /** Runs background fsyncs; made on first use, so an idle runner has no such thread. */
    private ExecutorService syncer;

    public HistoryStore(Path stateDir) {
        this.file = stateDir.resolve(Protocol.HISTORY_FILE);
    }

    public Path file() {
        return file;
    }

    /**
     * Reads every whole line; a line that is not UTF-8 or not a message (a runner killed mid-write, a full disk)
     * is skipped with a warning naming the file and line (see {@link JsonLines}).
     */
    public List<ChatMessage> load() {
        List<ChatMessage> messages = new ArrayList<>();
        try {
            JsonLines.read(file, LOG, line -> messages.add(ChatMessage.fromJson(line)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read history " + file, e);
        }
        return messages;
    }

    /** Appends one line and fsyncs it before returning. */
    public synchronized void append(ChatMessage message) {
        appendUnsynced(message);
        sync();
    }

    /**
     * Appends one line without the fsync: see {@link #syncInBackground}. All or nothing: a write that fails half-way
     * (a full disk) is cut back off the file, so the message is neither half in the file nor glued to the next.
     */
    public synchronized void appendUnsynced(ChatMessage message) {
        try {
            if (out == null) {
                Files.createDirectories(file.getParent());
                size = JsonLines.repairTail(file, LOG);
                out = new FileOutputStream(file.toFile(), true);
            }
            byte[] line = (json.writeValueAsString(message.toJson()) + "\n").getBytes(StandardCharsets.UTF_8);
            size = JsonLines.append(out, file, size, line);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to history " + file + ": " + e.getMessage(), e);
        }
    }

    /** Fsyncs everything appended so far. */
    public synchronized void sync() {
        try {
            if (out != null) {
                out.getFD().sync();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to history " + file, e);
        }
    }

    /** {@link #sync} on a background thread; the future fails with its {@link UncheckedIOException}. */
    public CompletableFuture<Void> syncInBackground() {
        ExecutorService executor;
        synchronized (this) {
            if (syncer == null) {
                syncer = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "history-sync");
                    t.setDaemon(true);
                    return t;
                });
            }
            executor = syncer;
        }
        try {
            return CompletableFuture.runAsync(this::sync, executor);
        } catch (RejectedExecutionException e) {
            // closed: nothing is written any more, and close() synced what was
            return CompletableFuture.completedFuture(null);
        }
    }

    @Override
    public synchronized void close() {
        if (syncer != null) {
            syncer.shutdown();
        }
        if (out != null) {
            try {
                out.getFD().sync(); // a line appended unsynced whose background sync has not run yet
                out.close();
            } catch (IOException ignored) {
                // nothing left to save
            }
            out = null;
        }
    }
}
