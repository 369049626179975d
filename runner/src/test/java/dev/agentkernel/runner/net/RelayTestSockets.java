package dev.agentkernel.runner.net;

import dev.agentkernel.protocol.relay.RelaySockets;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/** Unix-socket plumbing for the relay tests: short directories, connect, exact reads and reads to the end with a deadline. */
final class RelayTestSockets {
    private RelayTestSockets() {}

    /** Under /tmp, not a deep @TempDir: socket paths must fit in RelaySockets.MAX_PATH_BYTES (106). */
    static Path relayDir() throws IOException {
        return Files.createTempDirectory(Path.of("/tmp"), "akr");
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    static SocketChannel connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    static void write(SocketChannel channel, String text) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) channel.write(buffer);
    }

    /** Exactly {@code n} bytes, or fewer if the stream ends first. */
    static byte[] readN(SocketChannel channel, int n) {
        return withDeadline(channel, () -> {
            ByteBuffer buffer = ByteBuffer.allocate(n);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // keep reading
            }
            byte[] out = new byte[buffer.position()];
            buffer.flip().get(out);
            return out;
        });
    }

    static String readGreeting(SocketChannel channel) {
        return new String(readN(channel, RelaySockets.greetingLength()), StandardCharsets.US_ASCII);
    }

    /** Everything until the peer closes its side. */
    static String readToEnd(SocketChannel channel) {
        return withDeadline(channel, () -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) >= 0) {
                out.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        });
    }

    interface IoCall<T> {
        T call() throws IOException;
    }

    /** Blocking channels have no read timeout: a stuck test closes the channel and fails instead of hanging the build. */
    static <T> T withDeadline(SocketChannel channel, IoCall<T> call) {
        CompletableFuture<T> f = CompletableFuture.supplyAsync(() -> {
            try {
                return call.call();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // failing anyway
            }
            throw new AssertionError("no answer within 30 s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException u) throw u;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
