package dev.agentkernel.runner.owner;

import dev.agentkernel.protocol.OwnerLeaseEnv;
import dev.agentkernel.runner.model.BadConfigException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The pod's counterpart of {@link OwnerWatch}: on Kubernetes the kernel is not our parent, so it proves it is
 * alive by renewing a {@code coordination.k8s.io/v1} Lease; this watch reads that Lease and stops the runner
 * when it has not been renewed for the configured time (or was deleted after we saw it).
 *
 * <p>"Renewed" means the Lease changed ({@code spec.renewTime} or {@code resourceVersion}) as seen by <em>this</em>
 * process's monotonic clock, so clock skew between the kernel's machine and the node does not matter. An API
 * server that does not answer is not taken as the owner's death: the Lease cannot be judged, and the kernel-side
 * cleanup still deletes the pod once the Lease is seen expired.
 *
 * <p>Cost: the runner <em>watches</em> the Lease (one streaming request, renewed every {@value #WATCH_SECONDS} s) and
 * only reads it with a GET when the watch has been quiet for the whole timeout, to tell a lapsed Lease from a
 * stalled stream. Where the watch is refused (RBAC without {@code watch}, an API server that does not stream) it
 * falls back to one GET every {@link Settings#period()}. {@value #ENV_WATCH}{@code =false} forces polling.
 *
 * <p>Plain {@link HttpClient} with the pod's service-account token and CA: the runner stays free of any
 * Kubernetes client library.
 */
public final class LeaseWatch {
    /** Replaces {@code https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT}, e.g. a test API server over http. */
    public static final String ENV_API_URL = "AGENTKERNEL_KUBE_API_URL";
    /** Overrides the service-account directory (token, ca.crt, namespace); for tests. */
    public static final String ENV_SA_DIR = "AGENTKERNEL_KUBE_SA_DIR";
    /** {@code false}: poll with GETs instead of watching. */
    public static final String ENV_WATCH = "AGENTKERNEL_LEASE_WATCH";
    /** How long one watch request lasts before the server ends it and the runner reconnects. */
    static final int WATCH_SECONDS = 300;
    public static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
    public static final int DEFAULT_TIMEOUT_SECONDS = 60;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where the Lease is and how long it may go unrenewed. */
    public record Settings(URI apiBase, String namespace, String lease, Duration timeout, Path serviceAccountDir, boolean watch) {
        /**
         * How often the Lease is read: four times per timeout (at least every 250 ms), so a runner stops at most
         * a quarter of the timeout late, and a 60 s lease costs each pod 4 reads a minute.
         */
        public Duration period() {
            long ms = Math.max(250, timeout.toMillis() / 4);
            return Duration.ofMillis(ms);
        }

        URI leaseUri() {
            String base = apiBase.toString().replaceAll("/+$", "");
            return URI.create(base + "/apis/coordination.k8s.io/v1/namespaces/" + namespace + "/leases/" + lease);
        }

        URI watchUri() {
            String base = apiBase.toString().replaceAll("/+$", "");
            return URI.create(base + "/apis/coordination.k8s.io/v1/namespaces/" + namespace + "/leases?watch=true"
                    + "&fieldSelector=metadata.name%3D" + lease + "&timeoutSeconds=" + WATCH_SECONDS);
        }
    }

    /**
     * The settings from the pod's environment, empty when {@value OwnerLeaseEnv#LEASE} is unset (local agents,
     * detached pods). Throws {@link BadConfigException} when it is set but the rest cannot be worked out.
     */
    public static Optional<Settings> fromEnv(Map<String, String> env) throws BadConfigException {
        String lease = env.get(OwnerLeaseEnv.LEASE);
        if (lease == null || lease.isBlank()) return Optional.empty();
        Path sa = env.containsKey(ENV_SA_DIR) ? Path.of(env.get(ENV_SA_DIR)) : SERVICE_ACCOUNT;
        int seconds = DEFAULT_TIMEOUT_SECONDS;
        String t = env.get(OwnerLeaseEnv.TIMEOUT_SECONDS);
        if (t != null && !t.isBlank()) {
            try {
                seconds = Integer.parseInt(t.trim());
            } catch (NumberFormatException e) {
                seconds = -1;
            }
            if (seconds <= 0) throw new BadConfigException(OwnerLeaseEnv.TIMEOUT_SECONDS + " must be a positive number of seconds, got '" + t + "'");
        }
        String ns = env.get(OwnerLeaseEnv.NAMESPACE);
        if (ns == null || ns.isBlank()) {
            try {
                ns = Files.readString(sa.resolve("namespace")).trim();
            } catch (IOException e) {
                throw new BadConfigException(OwnerLeaseEnv.LEASE + " is set but the namespace is unknown: set " + OwnerLeaseEnv.NAMESPACE
                        + " or mount the service account (" + sa.resolve("namespace") + ")");
            }
        }
        URI api;
        if (env.get(ENV_API_URL) != null && !env.get(ENV_API_URL).isBlank()) {
            api = URI.create(env.get(ENV_API_URL).trim());
        } else {
            String host = env.get("KUBERNETES_SERVICE_HOST");
            String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
            if (host == null || host.isBlank()) {
                throw new BadConfigException(OwnerLeaseEnv.LEASE + " is set but KUBERNETES_SERVICE_HOST is not: the runner is not in a pod;"
                        + " set " + ENV_API_URL + " to the API server's URL");
            }
            api = URI.create("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
        }
        boolean watch = !"false".equalsIgnoreCase(env.getOrDefault(ENV_WATCH, "true").trim());
        return Optional.of(new Settings(api, ns, lease.trim(), Duration.ofSeconds(seconds), sa, watch));
    }

    /** What one read of the Lease saw. */
    enum Seen { CHANGED, UNCHANGED, DELETED, UNKNOWN }

    private final Settings settings;
    private final Runnable onExpired;
    private final LongSupplier nanoClock;
    private final HttpClient http;
    private final AtomicBoolean fired = new AtomicBoolean();
    private volatile boolean stopped;
    private String lastFingerprint;
    private boolean seenOnce;
    private long lastChangeNanos;
    private int reads;

    public LeaseWatch(Settings settings, Runnable onExpired) {
        this(settings, onExpired, System::nanoTime);
    }

    LeaseWatch(Settings settings, Runnable onExpired, LongSupplier nanoClock) {
        this.settings = settings;
        this.onExpired = onExpired;
        this.nanoClock = nanoClock;
        this.http = httpClient(settings);
        this.lastChangeNanos = nanoClock.getAsLong();
    }

    /** A watch request is streaming now (set by the watch thread). */
    private volatile boolean watching;
    private volatile InputStream stream;
    private volatile boolean watchRefused;
    private int watches;

    /**
     * Starts the daemon threads: a clock that ticks every {@link Settings#period()} and, unless disabled, the
     * watch. Runs until the Lease lapses or {@link #stop()}.
     */
    public void start() {
        Thread.ofPlatform().daemon().name("owner-lease").start(() -> {
            while (!stopped && !fired.get()) {
                tick();
                if (!pause(settings.period())) return;
            }
        });
        if (settings.watch()) Thread.ofPlatform().daemon().name("owner-lease-watch").start(this::watchLoop);
    }

    /**
     * One clock tick. While a watch streams it costs nothing unless the Lease has been quiet for the whole
     * timeout; then one GET tells a lapsed Lease (fire) from a stalled stream (reconnect). Without a watch it
     * is one GET.
     */
    synchronized boolean tick() {
        if (!watching) return checkOnce();
        if (nanoClock.getAsLong() - lastChangeNanos < settings.timeout().toNanos()) return false;
        boolean expired = checkOnce();
        if (!expired) abortStream();
        return expired;
    }

    /** How many watch requests were made (each is one API call, lasting up to {@value #WATCH_SECONDS} s). */
    public synchronized int watches() { return watches; }

    private void watchLoop() {
        while (!stopped && !fired.get() && !watchRefused) {
            boolean streamed = watchOnce();
            // Never reconnect in a tight loop; after a failed connect wait a read period (the clock polls meanwhile).
            Duration wait = watchRefused ? Duration.ZERO : streamed ? Duration.ofSeconds(1)
                    : Duration.ofMillis(Math.max(1_000, settings.period().toMillis()));
            if (!pause(wait)) return;
        }
    }

    /** One watch request, streamed until the server ends it, an ERROR event, a broken stream or {@link #abortStream()}. */
    private boolean watchOnce() {
        synchronized (this) {
            watches++;
        }
        boolean streamed = false;
        HttpRequest.Builder req = HttpRequest.newBuilder(settings.watchUri()).GET().header("Accept", "application/json");
        token().ifPresent(tok -> req.header("Authorization", "Bearer " + tok));
        try {
            HttpResponse<InputStream> r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                r.body().close();
                // RBAC without 'watch', or a server that does not stream: poll instead for the rest of our life.
                watchRefused = true;
                warnOnce("watching lease " + settings.lease() + " answered HTTP " + r.statusCode() + "; reading it every "
                        + settings.period().toMillis() + " ms instead");
                return false;
            }
            stream = r.body();
            watching = true;
            streamed = true;
            try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(stream, java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null && !stopped; ) {
                    if (line.isBlank()) continue;
                    JsonNode event = JSON.readTree(line);
                    switch (event.path("type").asText()) {
                        case "ADDED", "MODIFIED" -> observe(event.path("object"));
                        case "DELETED" -> observeDeleted();
                        case "ERROR" -> { return true; }   // e.g. 410 Gone: reconnect
                        default -> { }                // BOOKMARK
                    }
                }
            }
        } catch (IOException e) {
            // Broken or aborted stream, or the API is unreachable: the clock polls meanwhile.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watching = false;
            stream = null;
        }
        return streamed;
    }

    private synchronized void observe(JsonNode lease) {
        String fingerprint = fingerprint(lease);
        if (!seenOnce || !fingerprint.equals(lastFingerprint)) lastChangeNanos = nanoClock.getAsLong();
        seenOnce = true;
        lastFingerprint = fingerprint;
    }

    private synchronized void observeDeleted() {
        if (seenOnce) fire("its owner lease " + settings.lease() + " was deleted");
    }

    private void abortStream() {
        InputStream s = stream;
        if (s == null) return;
        try {
            s.close();
        } catch (IOException ignored) {
            // closing only to make the watch thread reconnect
        }
    }

    private static String fingerprint(JsonNode lease) {
        return lease.path("spec").path("renewTime").asText("") + "|" + lease.path("metadata").path("resourceVersion").asText("");
    }

    private static boolean pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    public void stop() {
        stopped = true;
        abortStream();
    }

    /** How many times the Lease was read with a GET (each is one API call). */
    public synchronized int reads() { return reads; }

    /** One read and verdict; returns true when it fired. */
    synchronized boolean checkOnce() {
        Seen seen = read();
        long now = nanoClock.getAsLong();
        switch (seen) {
            case CHANGED -> lastChangeNanos = now;
            case DELETED -> {
                if (seenOnce) return fire("its owner lease " + settings.lease() + " was deleted");
            }
            case UNCHANGED, UNKNOWN -> { }
        }
        if (seen != Seen.UNKNOWN && now - lastChangeNanos >= settings.timeout().toNanos()) {
            return fire("its owner lease " + settings.lease() + " was not renewed for " + settings.timeout().toSeconds() + " s");
        }
        return false;
    }

    private Seen read() {
        reads++;
        HttpRequest.Builder req = HttpRequest.newBuilder(settings.leaseUri()).timeout(Duration.ofSeconds(5)).GET()
                .header("Accept", "application/json");
        token().ifPresent(tok -> req.header("Authorization", "Bearer " + tok));
        try {
            HttpResponse<InputStream> r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = r.body()) {
                if (r.statusCode() == 404) return Seen.DELETED;
                if (r.statusCode() != 200) {
                    warnOnce("reading lease " + settings.leaseUri() + " answered HTTP " + r.statusCode()
                            + " (the pod's service account needs 'get' on leases)");
                    return Seen.UNKNOWN;
                }
                String fingerprint = fingerprint(JSON.readTree(body));
                boolean changed = !seenOnce || !fingerprint.equals(lastFingerprint);
                seenOnce = true;
                lastFingerprint = fingerprint;
                return changed ? Seen.CHANGED : Seen.UNCHANGED;
            }
        } catch (IOException e) {
            warnOnce("cannot read lease " + settings.leaseUri() + ": " + e.getMessage());
            return Seen.UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Seen.UNKNOWN;
        }
    }

    private boolean warned;

    private void warnOnce(String message) {
        if (!warned) System.err.println("runner: " + message + "; will keep trying");
        warned = true;
    }

    /** Re-read each time: the kubelet rotates projected service-account tokens. */
    private Optional<String> token() {
        try {
            return Optional.of(Files.readString(settings.serviceAccountDir().resolve("token")).trim());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private boolean fire(String why) {
        if (fired.compareAndSet(false, true)) {
            System.err.println("runner: " + why + "; stopping (history is on disk)");
            onExpired.run();
            return true;
        }
        return false;
    }

    /** Trusts the cluster CA from the service account when there is one, else the JDK's defaults. */
    private static HttpClient httpClient(Settings settings) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        Path ca = settings.serviceAccountDir().resolve("ca.crt");
        if (settings.apiBase().getScheme().equals("https") && Files.isReadable(ca)) {
            try (InputStream in = Files.newInputStream(ca)) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int i = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("ca-" + i++, c);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(store);
                SSLContext ssl = SSLContext.getInstance("TLS");
                ssl.init(null, tmf.getTrustManagers(), null);
                b.sslContext(ssl);
            } catch (Exception e) {
                System.err.println("runner: cannot load the cluster CA " + ca + " (" + e.getMessage() + "); using the JDK's trust store");
            }
        }
        return b.build();
    }
}
