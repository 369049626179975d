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

    /** Pooled, since spawn polls every few ms; a connection the runner closed while idle is retried fresh. */
    private final OkHttpClient client = dev.agentkernel.client.RunnerConnections.builder(new ConnectionPool(5, 5, TimeUnit.MINUTES))
            .connectTimeout(Duration.ofMillis(250))
            .readTimeout(Duration.ofMillis(500))
            .retryOnConnectionFailure(false)
            .build();

    Outcome awaitReady(Process process, int port, long deadlineNanos) {
        while (true) {
            if (!process.isAlive()) {
                return process.exitValue() == Protocol.EXIT_PORT_IN_USE ? Outcome.PORT_IN_USE : Outcome.EXITED;
            }
            // A 200 from a process that is exiting (the port belonged to someone else) is not ours.
            if (isHealthy(port) && process.isAlive()) return Outcome.READY;
            if (System.nanoTime() > deadlineNanos) return Outcome.TIMED_OUT;
            try {
                if (process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Outcome.TIMED_OUT;
            }
        }
    }

    boolean isHealthy(int port) {
        Request request = new Request.Builder().url("http://127.0.0.1:" + port + Protocol.PATH_HEALTH).build();
        try (Response response = client.newCall(request).execute()) {
            return response.code() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
