package dev.agentkernel.runner.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.protocol.Protocol;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * Crash-safe reading and appending of the runner's JSON-lines logs ({@code history.jsonl}, {@code agentbus.jsonl}).
 * <ul>
 *   <li>Reading goes line by line with a strict UTF-8 decoder: a line that is not UTF-8 or not JSON (a runner killed
 *       mid-write, a disk that filled up, a character cut in half) is skipped with a warning naming the file and
 *       line, and never stops the runner from starting.</li>
 *   <li>{@link #repairTail} runs before the first append: a last line without its newline is terminated when it is
 *       a whole record and cut off when it is torn, so the next record never lands glued onto it.</li>
 *   <li>{@link #append} is all-or-nothing: when a write fails half-way (ENOSPC, EIO) the file is truncated back to
 *       where the record started.</li>
 * </ul>
 * Writes go through a {@link FileOutputStream} and truncation through a {@link RandomAccessFile}, neither of them
 * an interruptible channel: a cancelled turn interrupts its thread, which would close a channel for good.
 */
public final class JsonLines {
    private JsonLines() {}

    /** Takes one parsed line; may throw {@link IllegalArgumentException} for a JSON value of the wrong shape. */
    public interface LineHandler {
        void accept(JsonNode line);
    }

    /**
     * Feeds every whole, valid line of {@code file} to {@code handler} (nothing when the file does not exist);
     * bad lines are skipped with a warning on {@code log}.
     */
    public static void read(Path file, Logger log, LineHandler handler) throws IOException {
        InputStream raw;
        try {
            raw = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            return;
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream in = raw) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] buf = new byte[64 * 1024];
            int lineNo = 0;
            int n;
            while ((n = in.read(buf)) != -1) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] != '\n') continue;
                    line.write(buf, from, i - from);
                    handle(file, log, handler, utf8, line.toByteArray(), ++lineNo, false);
                    line.reset();
                    from = i + 1;
                }
                line.write(buf, from, n - from);
            }
            if (line.size() > 0) handle(file, log, handler, utf8, line.toByteArray(), ++lineNo, true);
        }
    }

    private static void handle(Path file, Logger log, LineHandler handler, CharsetDecoder utf8, byte[] bytes, int lineNo,
                               boolean unterminated) {
        String text;
        try {
            text = utf8.reset().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            log.warning("skipping line " + lineNo + " of " + file + ": not valid UTF-8"
                    + (unterminated ? " (a torn last line: the writer stopped mid-record)" : ""));
            return;
        }
        if (text.isBlank()) return;
        try {
            handler.accept(Protocol.json().readTree(text));
        } catch (IOException | IllegalArgumentException e) {
            log.warning("skipping unreadable line " + lineNo + " of " + file
                    + (unterminated ? " (a torn last line: the writer stopped mid-record)" : "") + ": "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
    }

    /**
     * Makes the file end with a whole line before anything is appended: a last line without its newline gets one
     * when it is a whole JSON record, and is cut off (with a warning) when it is torn.
     *
     * @return the file's size afterwards (0 when it does not exist)
     */
    public static long repairTail(Path file, Logger log) throws IOException {
        if (!Files.exists(file)) return 0;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long size = raf.length();
            if (size == 0) return 0;
            raf.seek(size - 1);
            if (raf.read() == '\n') return size;
            long start = lastNewline(raf, size) + 1;
            byte[] tail = new byte[(int) Math.min(Integer.MAX_VALUE - 8, size - start)];
            raf.seek(start);
            raf.readFully(tail);
            if (wholeRecord(tail)) {
                raf.seek(size);
                raf.write('\n');
                return size + 1;
            }
            raf.setLength(start);
            log.warning("cut a torn last line (" + (size - start) + " bytes at offset " + start + ") off " + file
                    + ", so the next record starts on a line of its own");
            return start;
        }
    }

    /** Offset of the last '\n' before {@code size}, or -1. */
    private static long lastNewline(RandomAccessFile raf, long size) throws IOException {
        byte[] buf = new byte[8192];
        long end = size;
        while (end > 0) {
            int n = (int) Math.min(buf.length, end);
            raf.seek(end - n);
            raf.readFully(buf, 0, n);
            for (int i = n - 1; i >= 0; i--) {
                if (buf[i] == '\n') return end - n + i;
            }
            end -= n;
        }
        return -1;
    }

    private static boolean wholeRecord(byte[] bytes) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            JsonNode node = Protocol.json().readTree(text);
            return node != null && node.isObject();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Writes {@code record} (which ends with '\n') and flushes it; if that fails the file is cut back to
     * {@code goodSize}, the size before this record, so no torn line is left for the next append to be glued onto.
     *
     * @return the new good size
     */
    public static long append(FileOutputStream out, Path file, long goodSize, byte[] record) throws IOException {
        try {
            out.write(record);
            out.flush();
            return goodSize + record.length;
        } catch (IOException e) {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                if (raf.length() > goodSize) raf.setLength(goodSize);
            } catch (IOException truncateFailed) {
                e.addSuppressed(truncateFailed);
            }
            throw e;
        }
    }
}
