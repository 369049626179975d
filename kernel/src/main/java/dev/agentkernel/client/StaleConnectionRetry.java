package dev.agentkernel.client;

import okhttp3.Connection;
import okhttp3.ConnectionPool;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Retries a request once when it failed on a pooled connection the runner had already closed. The runner's JDK
 * HTTP server closes connections idle past its idle timeout (30 s by default, whatever the runner sets), and an
 * OkHttp GET reuses a pooled connection without probing it, so the first call after a pause would fail with
 * "unexpected end of stream" and read as a dead agent (issue 17.1). Only a failure on a reused connection is
 * retried, after the idle connections are evicted, so the retry opens a fresh one; a failure on a fresh connection
 * (the runner is gone) is reported at once, and a cancelled call is never retried.
 *
 * <p>A stale connection fails before the runner read the request (its server closed it while idle), so even a
 * POST is safe to send again.
 */
public final class StaleConnectionRetry {
    /** Connections that have carried a request: one seen again is a reused, pooled connection. */
    private final Set<Connection> used = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private StaleConnectionRetry() {}

    /** {@code builder} with the retry installed; call before {@code build()}, and share the pool it evicts. */
    public static OkHttpClient.Builder install(OkHttpClient.Builder builder, ConnectionPool pool) {
        StaleConnectionRetry retry = new StaleConnectionRetry();
        return builder.connectionPool(pool)
                .addInterceptor(chain -> retry.intercept(chain, pool))
                .addNetworkInterceptor(retry::markReuse);
    }

    /** Per call: whether its connection had served a request before. */
    private static final class Attempt {
        volatile boolean reused;
    }

    private Response intercept(Interceptor.Chain chain, ConnectionPool pool) throws IOException {
        Attempt attempt = new Attempt();
        Request request = chain.request().newBuilder().tag(Attempt.class, attempt).build();
        try {
            return chain.proceed(request);
        } catch (IOException e) {
            if (!attempt.reused || chain.call().isCanceled()) throw e;
            pool.evictAll(); // every idle connection to that runner is as stale as this one
            return chain.proceed(chain.request());
        }
    }

    private Response markReuse(Interceptor.Chain chain) throws IOException {
        Attempt attempt = chain.request().tag(Attempt.class);
        Connection connection = chain.connection();
        boolean seenBefore = connection != null && !used.add(connection); // the retry's connection counts too
        if (attempt != null && seenBefore) attempt.reused = true;
        return chain.proceed(chain.request());
    }
}
