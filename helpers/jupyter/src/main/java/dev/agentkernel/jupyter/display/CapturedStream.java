package dev.agentkernel.jupyter.display;

import io.github.spencerpark.jupyter.messages.publish.PublishStream;

import java.io.OutputStream;

/** {@code System.out} / {@code System.err} of the kernel JVM: bytes go to the running cell's output. */
public final class CapturedStream extends OutputStream {
    private final CellOutput output;
    private final PublishStream.StreamType type;

    public CapturedStream(CellOutput output, PublishStream.StreamType type) {
        this.output = output;
        this.type = type;
    }

    @Override
    public void write(int b) {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        output.write(type, b, off, len);
    }

    // flush() stays a no-op: println flushes on every line, and coalescing lines for up to FLUSH_MS keeps a
    // chatty loop from sending one message per line.
}
