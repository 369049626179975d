package dev.agentkernel.runner.tools;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Keeps a command's output within a byte cap: the first half and the last half are kept, the middle is
 * replaced by a marker. Head and tail both matter — the head shows what started, the tail how it ended.
 */
public final class OutputCollector {
    private final int headCap;
    private final int tailCap;
    private final byte[] head;
    private final byte[] tail;
    private int headLen;
    private long tailWritten;
    private long total;

    public OutputCollector(int capBytes) {
        if (capBytes < 2) {
            throw new IllegalArgumentException("output cap must be at least 2 bytes, got " + capBytes);
        }
        this.headCap = capBytes / 2;
        this.tailCap = capBytes - headCap;
        this.head = new byte[headCap];
        this.tail = new byte[tailCap];
    }

    /** Reads {@code in} to its end; returns quietly when the stream is closed under it. */
    public void drain(InputStream in) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                append(buf, 0, n);
            }
        } catch (IOException ignored) {
            // the process was killed or the pipe closed: what was read so far is the output
        }
    }

    public synchronized void append(byte[] b, int off, int len) {
        total += len;
        int i = off;
        int end = off + len;
        if (headLen < headCap) {
            int n = Math.min(headCap - headLen, len);
            System.arraycopy(b, off, head, headLen, n);
            headLen += n;
            i += n;
        }
        for (; i < end; i++) {
            tail[(int) (tailWritten % tailCap)] = b[i];
            tailWritten++;
        }
    }

    public synchronized long totalBytes() {
        return total;
    }

    /** The kept output as text, with a marker saying how many bytes were dropped from the middle. */
    public synchronized String text() {
        String h = new String(head, 0, headLen, StandardCharsets.UTF_8);
        int kept = (int) Math.min(tailWritten, tailCap);
        byte[] t = new byte[kept];
        long start = tailWritten - kept;
        for (int k = 0; k < kept; k++) {
            t[k] = tail[(int) ((start + k) % tailCap)];
        }
        String tt = new String(t, StandardCharsets.UTF_8);
        long omitted = total - headLen - kept;
        if (omitted <= 0) {
            return h + tt;
        }
        return h + "\n\n[... " + omitted + " bytes of output omitted (output cap " + (headCap + tailCap)
                + " bytes) ...]\n\n" + tt;
    }
}
