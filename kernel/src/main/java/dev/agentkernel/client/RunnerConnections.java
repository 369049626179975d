package dev.agentkernel.client;

import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;

import java.util.List;

/**
 * OkHttp clients for the kernel's side of the runner protocol. Every backend reaches its runners over plain HTTP
 * on a private path (loopback, a sandbox relay, a port-forward, a pod IP), authenticated by the nonce, so these
 * clients speak cleartext only. That is a start-up cost, not a policy nicety: an OkHttp client that allows TLS
 * builds the platform trust manager when it is built, parsing the JDK's whole CA store, which measured 225 ms of
 * a cold kernel's 550 ms {@code AgentKernel.build()} on the 2-core box (class-load log, JDK 25, 2026-12-06) and
 * competed with the first runner's start for the CPU. An {@code https://} endpoint fails fast with OkHttp's
 * "no TLS connection specs" error instead of quietly getting a trust store.
 */
public final class RunnerConnections {
    private RunnerConnections() {}

    /** A builder on {@code pool}, cleartext only, with {@link StaleConnectionRetry} installed. */
    public static OkHttpClient.Builder builder(ConnectionPool pool) {
        return StaleConnectionRetry.install(new OkHttpClient.Builder(), pool)
                .connectionSpecs(List.of(ConnectionSpec.CLEARTEXT));
    }
}
