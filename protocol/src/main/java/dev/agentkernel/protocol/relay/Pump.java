package dev.agentkernel.protocol.relay;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Copies bytes both ways between two connected sockets (TCP or Unix) until both directions have ended,
 * then closes them. End of input on one side is passed on as a half-close ({@code shutdownOutput}), so
 * request/response protocols that close their sending side first keep working; an error on either side
 * closes both at once, so neither copier is left blocked.
 */
public final class Pump {
    static final int BUFFER_BYTES = 16 * 1024;

    private Pump() {}

    /** Pumps on two virtual threads and returns at once. */
    public static void start(SocketChannel a, SocketChannel b, String name) {
        Thread.ofVirtual().name(name).start(() -> run(a, b));
    }

    /** Pumps on the calling thread (and one more virtual thread) until both directions end. */
    public static void run(SocketChannel a, SocketChannel b) {
        Thread back = Thread.ofVirtual().start(() -> copy(b, a));
        copy(a, b);
        try {
            back.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(a);
            closeQuietly(b);
        }
    }

    private static void copy(SocketChannel from, SocketChannel to) {
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) to.write(buffer);
                buffer.clear();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // A reset or a close from the other copier: end both directions.
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    public static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // Closing a broken socket: nothing left to do.
        }
    }
}
