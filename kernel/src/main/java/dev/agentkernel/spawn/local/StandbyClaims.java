package dev.agentkernel.spawn.local;

import dev.agentkernel.client.RunnerConnections;
import dev.agentkernel.protocol.BearerCheck;
import dev.agentkernel.protocol.Protocol;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The kernel's side of {@link Protocol#PATH_CLAIM}: tells a standby runner to become the agent its config describes. */
final class StandbyClaims implements AutoCloseable {
    /** No pooling: each standby is claimed once. Built at the first claim: most kernels have no warm pool. */
    private final dev.agentkernel.client.Prebuilt<OkHttpClient> client = new dev.agentkernel.client.Prebuilt<>(() ->
            RunnerConnections.builder(new ConnectionPool(0, 1, TimeUnit.SECONDS))
                    .connectTimeout(Duration.ofMillis(500))
                    .retryOnConnectionFailure(false)
                    .build());

    /**
     * Claims the standby on {@code port}; returns when the agent serves on its own port.
     *
     * @throws dev.agentkernel.SpawnFailedException when the standby refused or failed (its answer says why)
     */
    void claim(int port, String nonce, Duration timeout) {
        Request request = new Request.Builder().url("http://127.0.0.1:" + port + Protocol.PATH_CLAIM)
                .header(BearerCheck.HEADER, "Bearer " + nonce)
                .post(RequestBody.create(new byte[0]))
                .build();
        OkHttpClient timed = client.get().newBuilder().readTimeout(timeout).callTimeout(timeout).build();
        try (Response response = timed.newCall(request).execute()) {
            if (response.code() != 200) {
                String body = response.body().string();
                throw new dev.agentkernel.SpawnFailedException("the standby runner refused the claim with HTTP " + response.code() + ": " + body,
                        java.util.List.of());
            }
        } catch (IOException e) {
            throw new dev.agentkernel.SpawnFailedException("the standby runner did not answer its claim: " + e.getMessage(), java.util.List.of());
        }
    }

    @Override
    public void close() {
        if (!client.isBuilt()) return;
        client.get().dispatcher().executorService().shutdown();
        client.get().connectionPool().evictAll();
    }
}
