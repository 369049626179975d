package dev.agentkernel.jupyter.display;

import io.github.spencerpark.jupyter.channels.JupyterSocket;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageContext;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.publish.PublishClearOutput;
import io.github.spencerpark.jupyter.messages.publish.PublishDisplayData;
import io.github.spencerpark.jupyter.messages.publish.PublishStream;
import io.github.spencerpark.jupyter.messages.publish.PublishUpdateDisplayData;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Everything a cell shows while it runs goes out through here, on IOPub, parented to the cell's
 * {@code execute_request}: stdout/stderr as {@code stream} messages sent {@value #FLUSH_MS} ms after the first
 * unsent write (so a burst of prints coalesces into one message, and a lone print is not held back), and
 * display data. Output arriving from other threads after the cell ended (an {@code askAsync} still
 * streaming) lands in the last cell, as in IPython.
 *
 * <p>Messages are sent straight to the IOPub socket rather than through the basekernel's reply environment:
 * that environment is not thread-safe (a deferred-reply flag set by the shell thread could swallow a stream
 * message sent by the flusher). One lock orders everything, so text printed before a display or before the
 * reply is always sent before it.
 */
public final class CellOutput implements AutoCloseable {
    static final long FLUSH_MS = 2;

    private final Object lock = new Object();
    private final Utf8Buffer stdout = new Utf8Buffer();
    private final Utf8Buffer stderr = new Utf8Buffer();
    private final PrintStream fallback;
    private final ScheduledExecutorService flusher;
    private volatile JupyterSocket iopub;
    private volatile MessageContext parent;
    private boolean flushScheduled; // guarded by lock
    /**
     * What the current cell showed, in order (guarded by lock), so that {@link #replaceLive} can clear the cell and
     * send it again with a stretch of live text replaced by its rendering. Stream entries are {@code Sent} with a
     * null live id unless they were live text.
     */
    private final java.util.List<Sent> shown = new java.util.ArrayList<>();

    /** Past this many logged characters a cell is not replayed (its live text then stays, followed by the rendering). */
    static final int MAX_REPLAY_CHARS = 2_000_000;
    private int loggedChars; // guarded by lock

    private record Sent(PublishStream.StreamType stream, String text, String liveId, DisplayData data) {
    }

    /** @param fallback where output goes before any cell ran (the kernel's own log) */
    public CellOutput(PrintStream fallback) {
        this.fallback = fallback;
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "agentkernel-jupyter-flush");
            t.setDaemon(true);
            return t;
        });
    }

    /** Connects to the kernel's IOPub channel. */
    public void attach(JupyterSocket iopub) {
        this.iopub = iopub;
    }

    /** From now on output belongs to the cell of {@code executeRequest}; pending text still goes to the old one. */
    public void beginCell(MessageContext executeRequest) {
        synchronized (lock) {
            flushLocked();
            parent = executeRequest;
            shown.clear();
            loggedChars = 0;
        }
    }

    public void write(PublishStream.StreamType stream, byte[] bytes, int off, int len) {
        synchronized (lock) {
            (stream == PublishStream.StreamType.OUT ? stdout : stderr).write(bytes, off, len);
            if (!flushScheduled) {
                flushScheduled = true;
                try {
                    flusher.schedule(this::flush, FLUSH_MS, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException closed) {
                    flushLocked(); // closing: send it now rather than never
                }
            }
        }
    }

    public void print(String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        write(PublishStream.StreamType.OUT, bytes, 0, bytes.length);
    }

    /** Sends pending stream text now (the kernel calls this before its reply so no text trails the reply). */
    public void flush() {
        synchronized (lock) {
            flushLocked();
        }
    }

    public void display(DisplayData data) {
        synchronized (lock) {
            flushLocked();
            log(new Sent(null, null, null, data));
            send(PublishDisplayData.MESSAGE_TYPE, new PublishDisplayData(data));
        }
    }

    public void updateDisplay(DisplayData data) {
        synchronized (lock) {
            flushLocked();
            // a replay after a clear must show the latest content of this display
            for (int i = 0; i < shown.size(); i++) {
                DisplayData earlier = shown.get(i).data();
                if (earlier != null && data.hasDisplayId() && data.getDisplayId().equals(earlier.getDisplayId())) {
                    shown.set(i, new Sent(null, null, null, data));
                }
            }
            send(PublishUpdateDisplayData.MESSAGE_TYPE, new PublishUpdateDisplayData(data));
        }
    }

    /** Live text: a stdout stream message now (terminal front ends show it), remembered under {@code liveId}. */
    public void printLive(String liveId, String text) {
        synchronized (lock) {
            flushLocked();
            log(new Sent(PublishStream.StreamType.OUT, text, liveId, null));
            send(PublishStream.MESSAGE_TYPE, new PublishStream(PublishStream.StreamType.OUT, text));
        }
    }

    /**
     * Replaces the live text of {@code liveId} by {@code rendering}: {@code clear_output(wait=true)}, then everything
     * the cell showed again, in order, with the rendering where the live text began. Notebooks swap the outputs
     * without flicker (the clear waits for the next output); a terminal ignores the clear, and the rendering carries
     * no {@code text/plain}, so the text it already streamed is not printed twice.
     */
    public void replaceLive(String liveId, DisplayData rendering) {
        synchronized (lock) {
            flushLocked();
            if (loggedChars > MAX_REPLAY_CHARS) {
                send(PublishDisplayData.MESSAGE_TYPE, new PublishDisplayData(rendering));
                return;
            }
            java.util.List<Sent> replay = new java.util.ArrayList<>();
            boolean placed = false;
            for (Sent sent : shown) {
                if (liveId.equals(sent.liveId())) {
                    if (!placed) replay.add(new Sent(null, null, null, rendering));
                    placed = true;
                } else {
                    replay.add(sent);
                }
            }
            if (!placed) replay.add(new Sent(null, null, null, rendering));
            shown.clear();
            shown.addAll(replay);
            send(PublishClearOutput.MESSAGE_TYPE, PublishClearOutput.BEFORE_NEXT_OUTPUT);
            StringBuilder merged = new StringBuilder();
            PublishStream.StreamType mergedType = null;
            for (Sent sent : replay) {
                if (sent.data() == null && sent.stream() == mergedType) {
                    merged.append(sent.text());
                    continue;
                }
                if (mergedType != null) send(PublishStream.MESSAGE_TYPE, new PublishStream(mergedType, merged.toString()));
                merged.setLength(0);
                mergedType = null;
                if (sent.data() != null) {
                    send(PublishDisplayData.MESSAGE_TYPE, new PublishDisplayData(sent.data()));
                } else {
                    mergedType = sent.stream();
                    merged.append(sent.text());
                }
            }
            if (mergedType != null) send(PublishStream.MESSAGE_TYPE, new PublishStream(mergedType, merged.toString()));
        }
    }

    private void log(Sent sent) {
        loggedChars += sent.text() == null ? 256 : sent.text().length();
        if (loggedChars <= MAX_REPLAY_CHARS) shown.add(sent);
    }

    private void flushLocked() {
        flushScheduled = false;
        String out = stdout.drain();
        if (!out.isEmpty()) sendStream(PublishStream.StreamType.OUT, out);
        String err = stderr.drain();
        if (!err.isEmpty()) sendStream(PublishStream.StreamType.ERR, err);
    }

    private void sendStream(PublishStream.StreamType type, String text) {
        if (parent != null) log(new Sent(type, text, null, null));
        if (!send(PublishStream.MESSAGE_TYPE, new PublishStream(type, text))) {
            fallback.print(text);
            fallback.flush();
        }
    }

    private <T> boolean send(MessageType<T> type, T content) {
        JupyterSocket socket = iopub;
        MessageContext context = parent;
        if (socket == null || context == null) return false;
        try {
            socket.sendMessage(new Message<>(context, type, content));
            return true;
        } catch (RuntimeException e) {
            return false; // the connection is closing; output cannot reach a front end any more
        }
    }

    @Override
    public void close() {
        flusher.shutdownNow();
        flush();
    }
}
