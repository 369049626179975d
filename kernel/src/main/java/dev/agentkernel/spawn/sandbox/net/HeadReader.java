package dev.agentkernel.spawn.sandbox.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/** Reads an HTTP request head off a channel, keeping whatever the client sent after it. */
final class HeadReader {
    static final int MAX_HEAD_BYTES = 16 * 1024;
    private static final byte[] END = {'\r', '\n', '\r', '\n'};

    private HeadReader() {}

    sealed interface Result permits Head, TooBig, Ended {}

    /** The head up to and including the blank line, and the bytes read past it (the start of a body or tunnel). */
    record Head(byte[] head, byte[] leftover) implements Result {}

    /** {@link #MAX_HEAD_BYTES} arrived without the blank line. */
    record TooBig() implements Result {}

    /** The client hung up before the head was complete. */
    record Ended() implements Result {}

    static Result read(SocketChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_HEAD_BYTES);
        int searched = 0;
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) return new Ended();
            int end = indexOfEnd(buffer.array(), Math.max(0, searched - END.length + 1), buffer.position());
            if (end >= 0) {
                int headLength = end + END.length;
                return new Head(Arrays.copyOf(buffer.array(), headLength),
                        Arrays.copyOfRange(buffer.array(), headLength, buffer.position()));
            }
            searched = buffer.position();
        }
        return new TooBig();
    }

    private static int indexOfEnd(byte[] bytes, int from, int to) {
        outer:
        for (int i = from; i + END.length <= to; i++) {
            for (int j = 0; j < END.length; j++) {
                if (bytes[i + j] != END[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
