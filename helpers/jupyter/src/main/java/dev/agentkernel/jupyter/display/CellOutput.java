package dev.agentkernel.jupyter.display;

import io.github.spencerpark.jupyter.channels.JupyterSocket;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageContext;
import io.github.spencerpark.jupyter.messages.MessageType;
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
            send(PublishDisplayData.MESSAGE_TYPE, new PublishDisplayData(data));
        }
    }

    public void updateDisplay(DisplayData data) {
        synchronized (lock) {
            flushLocked();
            send(PublishUpdateDisplayData.MESSAGE_TYPE, new PublishUpdateDisplayData(data));
        }
    }

    private void flushLocked() {
        flushScheduled = false;
        String out = stdout.drain();
        if (!out.isEmpty()) sendStream(PublishStream.StreamType.OUT, out);
        String err = stderr.drain();
        if (!err.isEmpty()) sendStream(PublishStream.StreamType.ERR, err);
    }

    private void sendStream(PublishStream.StreamType type, String text) {
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
