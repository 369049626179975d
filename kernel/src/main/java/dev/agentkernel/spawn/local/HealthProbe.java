package dev.agentkernel.spawn.local;

import dev.agentkernel.protocol.Protocol;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Polls a runner's {@code GET /health} until it answers 200, the process exits, or time runs out. */
final class HealthProbe implements AutoCloseable {

    enum Outcome { READY, PORT_IN_USE, EXITED, TIMED_OUT }

    /** Short enough that start-up latency stays within a few ms of the runner's own. */
    static final long POLL_MILLIS = 5;
    /** The longest pause between polls, reached by spawns that already waited {@value #BACKOFF_DIVISOR} times that. */
    static final long MAX_POLL_MILLIS = 50;
    /**
     * The pause between polls grows with the wait, one {@value}th of it: a runner ready in 1 s is seen within ~2 %
     * of that, and fifty runners starting at once on two cores (~70 s each, bench 2026-12-06) are polled 20 times a
     * second each instead of 200, which was ~10,000 connects a second from the kernel competing with them for the CPU.
     */
    static final long BACKOFF_DIVISOR = 50;

    /** The pause after {@code waitedMillis} of waiting. */
    static long pauseMillis(long waitedMillis) {
        return Math.max(POLL_MILLIS, Math.min(MAX_POLL_MILLIS, waitedMillis / BACKOFF_DIVISOR));
    }

    /**
     * Pooled, since spawn polls every few ms; a connection the runner closed while idle is retried fresh. Built off
     * the first spawn's path ({@link dev.agentkernel.client.Prebuilt}): the runner is already starting by then.
     */
    private final dev.agentkernel.client.Prebuilt<OkHttpClient> client = new dev.agentkernel.client.Prebuilt<>(() ->
            dev.agentkernel.client.RunnerConnections.builder(new ConnectionPool(5, 5, TimeUnit.MINUTES))
                    .connectTimeout(Duration.ofMillis(250))
                    .readTimeout(Duration.ofMillis(500))
                    .retryOnConnectionFailure(false)
                    .build());

    /** Builds the HTTP client ahead of the first spawn (the kernel's warm-up thread). */
    void warmUp() {
        client.get();
    }

    Outcome awaitReady(Process process, int port, long deadlineNanos) {
        long start = System.nanoTime();
        while (true) {
            if (!process.isAlive()) {
                return process.exitValue() == Protocol.EXIT_PORT_IN_USE ? Outcome.PORT_IN_USE : Outcome.EXITED;
            }
            // Until the runner listens, a bare connect is refused at once. Asking OkHttp instead cost ~0.5 ms of CPU per
            // refused call in a fresh kernel JVM, every 5 ms, while the runner needed both cores to start (per-thread
            // CPU of the cold one-shot, 2-core box, 2026-12-06). Once the port accepts, the runner has bound it and
            // GET /health waits in a blocking read until the runner serves.
            // A 200 from a process that is exiting (the port belonged to someone else) is not ours.
            if (accepts(port) && isHealthy(port) && process.isAlive()) return Outcome.READY;
            if (System.nanoTime() > deadlineNanos) return Outcome.TIMED_OUT;
            try {
                if (process.waitFor(pauseMillis((System.nanoTime() - start) / 1_000_000), TimeUnit.MILLISECONDS)) continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Outcome.TIMED_OUT;
            }
        }
    }

    /** True when something listens on {@code port} on loopback. */
    static boolean accepts(int port) {
        try (java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open()) {
            channel.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    boolean isHealthy(int port) {
        Request request = new Request.Builder().url("http://127.0.0.1:" + port + Protocol.PATH_HEALTH).build();
        try (Response response = client.get().newCall(request).execute()) {
            return response.code() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (!client.isBuilt()) return;
        client.get().dispatcher().executorService().shutdown();
        client.get().connectionPool().evictAll();
    }
}
