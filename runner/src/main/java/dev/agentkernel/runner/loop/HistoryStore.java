package dev.agentkernel.runner.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.protocol.Protocol;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * The append-only conversation log {@code <state_dir>/history.jsonl}: one JSON message per line, fsynced per
 * append so a killed runner loses at most the message it was writing.
 * <p>
 * It uses a {@link FileOutputStream} rather than a {@code FileChannel} on purpose: cancelling a turn interrupts
 * its thread, and an interrupt closes an interruptible channel for good.
 */
public final class HistoryStore implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HistoryStore.class.getName());
    private final Path file;
    private final ObjectMapper json = Protocol.json();
    private FileOutputStream out;

    public HistoryStore(Path stateDir) {
        this.file = stateDir.resolve(Protocol.HISTORY_FILE);
    }

    public Path file() {
        return file;
    }

    /** Reads every complete line; a torn last line (the runner died mid-write) is skipped with a warning. */
    public List<ChatMessage> load() {
        List<ChatMessage> messages = new ArrayList<>();
        if (!Files.exists(file)) {
            return messages;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read history " + file, e);
        }
        int lineNo = 0;
        for (String line : lines) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            try {
                messages.add(ChatMessage.fromJson(json.readTree(line)));
            } catch (IOException | IllegalArgumentException e) {
                LOG.warning("skipping unreadable line " + lineNo + " of " + file + ": " + e.getMessage());
            }
        }
        return messages;
    }

    public synchronized void append(ChatMessage message) {
        try {
            if (out == null) {
                Files.createDirectories(file.getParent());
                out = new FileOutputStream(file.toFile(), true);
            }
            byte[] line = (json.writeValueAsString(message.toJson()) + "\n").getBytes(StandardCharsets.UTF_8);
            out.write(line);
            out.flush();
            out.getFD().sync();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to history " + file, e);
        }
    }

    @Override
    public synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // nothing left to save
            }
            out = null;
        }
    }
}
