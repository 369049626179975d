package dev.agentkernel.jupyter.display;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Bytes written to a captured stream, drained as text. A multi-byte character split across writes stays in
 * the buffer until its last byte arrives, so a flush never sends half a character. Not thread-safe: guarded by
 * {@link CellOutput}'s lock.
 */
final class Utf8Buffer {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    void write(byte[] b, int off, int len) {
        bytes.write(b, off, len);
    }

    String drain() {
        if (bytes.size() == 0) return "";
        byte[] all = bytes.toByteArray();
        int complete = completePrefix(all);
        bytes.reset();
        bytes.write(all, complete, all.length - complete);
        return new String(all, 0, complete, StandardCharsets.UTF_8);
    }

    /** Length of the longest prefix that does not end inside a UTF-8 sequence. */
    static int completePrefix(byte[] b) {
        int n = b.length;
        for (int back = 1; back <= Math.min(3, n); back++) {
            int c = b[n - back] & 0xFF;
            if ((c & 0xC0) == 0x80) continue; // continuation byte: keep looking for the lead byte
            int need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            return need > back ? n - back : n;
        }
        return n;
    }
}
