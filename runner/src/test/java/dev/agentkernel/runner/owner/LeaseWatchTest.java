package dev.agentkernel.runner.owner;

import dev.agentkernel.protocol.OwnerLeaseEnv;
import dev.agentkernel.runner.RunnerMain;
import dev.agentkernel.runner.model.BadConfigException;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The runner's owner-lease watch against a small API server on loopback that serves one Lease the test
 * renews (or not), then a real runner process that must exit once its lease lapses.
 */
class LeaseWatchTest {
    @TempDir Path dir;
    HttpServer api;
    /** HTTP status the API answers; 200 serves the lease. */
    final AtomicInteger status = new AtomicInteger(200);
    /** Bumped by the test to "renew" the lease. */
    final AtomicInteger renewals = new AtomicInteger();
    final List<String> paths = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final List<Process> started = new ArrayList<>();
    /** Watch requests: refused with 405, or streamed (events only while not {@link #stalled}). */
    final java.util.concurrent.atomic.AtomicBoolean refuseWatch = new java.util.concurrent.atomic.AtomicBoolean();
    final java.util.concurrent.atomic.AtomicBoolean stalled = new java.util.concurrent.atomic.AtomicBoolean();
    final AtomicInteger watchRequests = new AtomicInteger();
    final AtomicInteger getRequests = new AtomicInteger();
    volatile boolean closing;

    String lease() {
        return "{\"kind\":\"Lease\",\"metadata\":{\"name\":\"agentkernel-k1\",\"resourceVersion\":\"" + (10 + renewals.get())
                + "\"},\"spec\":{\"holderIdentity\":\"k1\",\"renewTime\":\"2026-01-01T00:00:0" + (renewals.get() % 10) + ".000000Z\"}}";
    }

    @BeforeEach
    void startApi() throws Exception {
        api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        api.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        api.createContext("/", exchange -> {
            paths.add(exchange.getRequestURI().getPath());
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "" : auth);
            String query = exchange.getRequestURI().getRawQuery();
            if (query != null && query.contains("watch=true")) {
                watchRequests.incrementAndGet();
                streamWatch(exchange);
                return;
            }
            getRequests.incrementAndGet();
            int code = status.get();
            byte[] body = (code == 200 ? lease() : "{\"kind\":\"Status\",\"code\":" + code + "}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(code, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        api.start();
        Files.writeString(dir.resolve("token"), "sa-token-123\n");
        Files.writeString(dir.resolve("namespace"), "agents-ns\n");
    }

    /** As the API server does: the current object as ADDED, then MODIFIED at each renewal. */
    private void streamWatch(com.sun.net.httpserver.HttpExchange exchange) throws java.io.IOException {
        if (refuseWatch.get()) {
            exchange.sendResponseHeaders(405, -1);
            exchange.close();
            return;
        }
        exchange.sendResponseHeaders(200, 0);
        try (var out = exchange.getResponseBody()) {
            out.write(("{\"type\":\"ADDED\",\"object\":" + lease() + "}\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            int sent = renewals.get();
            while (!closing) {
                if (!stalled.get() && renewals.get() != sent) {
                    sent = renewals.get();
                    out.write(("{\"type\":\"MODIFIED\",\"object\":" + lease() + "}\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                Thread.sleep(20);
            }
        } catch (java.io.IOException | InterruptedException e) {
            // the client went away
        }
    }

    @AfterEach
    void stop() {
        closing = true;
        started.forEach(p -> p.destroyForcibly());
        api.stop(0);
    }

    /** A started watch on the real clock, counting how often it fired. */
    private LeaseWatch startWatch(Map<String, String> env, AtomicInteger fired) throws Exception {
        LeaseWatch w = new LeaseWatch(LeaseWatch.fromEnv(env).orElseThrow(), fired::incrementAndGet);
        w.start();
        return w;
    }

    /** Renews every 100 ms for {@code d}. */
    private void renewFor(Duration d) throws InterruptedException {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            renewals.incrementAndGet();
            Thread.sleep(100);
        }
    }

    private static boolean firesWithin(AtomicInteger fired, Duration d) throws InterruptedException {
        long end = System.nanoTime() + d.toNanos();
        while (fired.get() == 0 && System.nanoTime() < end) Thread.sleep(20);
        return fired.get() == 1;
    }

    @Test
    void aWatchedLeaseCostsOneStreamingRequestNotAReadPerPeriod() throws Exception {
        AtomicInteger fired = new AtomicInteger();
        LeaseWatch w = startWatch(env("1"), fired);
        try {
            renewFor(Duration.ofMillis(2_500));   // ten read periods of a 1 s lease
            assertEquals(0, fired.get(), "renewals seen through the watch keep the runner");
            assertEquals(1, w.watches(), "one watch request");
            assertTrue(getRequests.get() <= 2, "no polling while the watch streams: " + getRequests.get() + " GETs");
            assertTrue(firesWithin(fired, Duration.ofSeconds(3)), "a lapsed lease still stops the runner");
        } finally {
            w.stop();
        }
    }

    @Test
    void aStalledWatchIsReconnectedNotMistakenForALapse() throws Exception {
        AtomicInteger fired = new AtomicInteger();
        LeaseWatch w = startWatch(env("1"), fired);
        try {
            renewFor(Duration.ofMillis(500));
            stalled.set(true);                     // the stream goes quiet, the kernel keeps renewing
            renewFor(Duration.ofMillis(3_000));    // quiet for the 1 s timeout, a GET, 1 s before reconnecting
            assertEquals(0, fired.get(), "a GET showed the lease renewed: the stream was stalled, not the kernel");
            assertTrue(w.watches() >= 2, "the stalled watch was replaced: " + w.watches());
            stalled.set(false);
            assertTrue(firesWithin(fired, Duration.ofSeconds(3)), "once renewals stop, the runner stops");
        } finally {
            w.stop();
        }
    }

    @Test
    void aRefusedWatchFallsBackToPolling() throws Exception {
        refuseWatch.set(true);
        AtomicInteger fired = new AtomicInteger();
        LeaseWatch w = startWatch(env("1"), fired);
        try {
            renewFor(Duration.ofMillis(1_500));
            assertEquals(0, fired.get());
            assertEquals(1, w.watches(), "a refused watch is not retried");
            assertTrue(getRequests.get() >= 4, "polled every 250 ms instead: " + getRequests.get());
            assertTrue(firesWithin(fired, Duration.ofSeconds(3)));
        } finally {
            w.stop();
        }
    }

    private String apiUrl() { return "http://127.0.0.1:" + api.getAddress().getPort(); }

    private Map<String, String> env(String timeout) {
        Map<String, String> env = new HashMap<>();
        env.put(OwnerLeaseEnv.LEASE, "agentkernel-k1");
        env.put(LeaseWatch.ENV_API_URL, apiUrl());
        env.put(LeaseWatch.ENV_SA_DIR, dir.toString());
        if (timeout != null) env.put(OwnerLeaseEnv.TIMEOUT_SECONDS, timeout);
        return env;
    }

    /** A watch on a fake clock: the test moves time, so nothing sleeps. */
    private record Watched(LeaseWatch watch, AtomicLong clock, AtomicInteger fired) {
        void advance(Duration d) { clock.addAndGet(d.toNanos()); }
    }

    private Watched watch(Duration timeout) throws Exception {
        LeaseWatch.Settings s = LeaseWatch.fromEnv(env(String.valueOf(timeout.toSeconds()))).orElseThrow();
        AtomicLong clock = new AtomicLong();
        AtomicInteger fired = new AtomicInteger();
        return new Watched(new LeaseWatch(s, fired::incrementAndGet, clock::get), clock, fired);
    }

    @Test
    void settingsComeFromThePodEnvironmentAndServiceAccount() throws Exception {
        assertTrue(LeaseWatch.fromEnv(Map.of()).isEmpty(), "no lease variable: no watch (local agents, detached pods)");
        LeaseWatch.Settings s = LeaseWatch.fromEnv(env(null)).orElseThrow();
        assertEquals("agents-ns", s.namespace(), "namespace from the service account");
        assertEquals(Duration.ofSeconds(60), s.timeout(), "default timeout");
        assertEquals(Duration.ofSeconds(15), s.period(), "a 60 s lease is read 4 times a minute");
        assertEquals(URI.create(apiUrl() + "/apis/coordination.k8s.io/v1/namespaces/agents-ns/leases/agentkernel-k1"), s.leaseUri());
        assertEquals(URI.create(apiUrl() + "/apis/coordination.k8s.io/v1/namespaces/agents-ns/leases?watch=true"
                + "&fieldSelector=metadata.name%3Dagentkernel-k1&timeoutSeconds=300"), s.watchUri());
        assertTrue(s.watch());
        Map<String, String> polling = env(null);
        polling.put(LeaseWatch.ENV_WATCH, "false");
        assertFalse(LeaseWatch.fromEnv(polling).orElseThrow().watch());

        Map<String, String> inPod = new HashMap<>(Map.of(OwnerLeaseEnv.LEASE, "l", OwnerLeaseEnv.NAMESPACE, "ns",
                "KUBERNETES_SERVICE_HOST", "10.0.0.1", "KUBERNETES_SERVICE_PORT", "6443", OwnerLeaseEnv.TIMEOUT_SECONDS, "3"));
        LeaseWatch.Settings pod = LeaseWatch.fromEnv(inPod).orElseThrow();
        assertEquals(URI.create("https://10.0.0.1:6443"), pod.apiBase());
        assertEquals(Duration.ofMillis(750), pod.period());

        BadConfigException bad = assertThrows(BadConfigException.class, () -> LeaseWatch.fromEnv(env("soon")));
        assertTrue(bad.getMessage().contains(OwnerLeaseEnv.TIMEOUT_SECONDS), bad.getMessage());
        assertThrows(BadConfigException.class, () -> LeaseWatch.fromEnv(env("0")));
        BadConfigException outside = assertThrows(BadConfigException.class,
                () -> LeaseWatch.fromEnv(Map.of(OwnerLeaseEnv.LEASE, "l", OwnerLeaseEnv.NAMESPACE, "ns")));
        assertTrue(outside.getMessage().contains(LeaseWatch.ENV_API_URL), outside.getMessage());
    }

    @Test
    void aRenewedLeaseKeepsTheRunnerAndALapsedOneStopsIt() throws Exception {
        Watched w = watch(Duration.ofSeconds(3));
        for (int i = 0; i < 5; i++) {     // 10 s of renewals every 2 s: never 3 s without a change
            assertFalse(w.watch().checkOnce());
            w.advance(Duration.ofSeconds(1));
            assertFalse(w.watch().checkOnce());
            w.advance(Duration.ofSeconds(1));
            renewals.incrementAndGet();
        }
        assertEquals(0, w.fired().get());
        assertEquals("/apis/coordination.k8s.io/v1/namespaces/agents-ns/leases/agentkernel-k1", paths.getFirst());
        assertTrue(authorizations.stream().allMatch("Bearer sa-token-123"::equals), "the service-account token is sent");

        assertFalse(w.watch().checkOnce());           // sees the last renewal
        w.advance(Duration.ofMillis(2_900));
        assertFalse(w.watch().checkOnce(), "2.9 s without renewal is within a 3 s lease");
        w.advance(Duration.ofMillis(200));
        assertTrue(w.watch().checkOnce(), "3.1 s without renewal: the owner is gone");
        assertEquals(1, w.fired().get());
        assertFalse(w.watch().checkOnce(), "fires once");
        assertEquals(1, w.fired().get());
    }

    @Test
    void aDeletedLeaseStopsTheRunnerAtOnceButAnUnreachableApiDoesNot() throws Exception {
        Watched deleted = watch(Duration.ofSeconds(60));
        assertFalse(deleted.watch().checkOnce());
        status.set(404);
        assertTrue(deleted.watch().checkOnce(), "the kernel deleted its lease: stop without waiting for the timeout");

        status.set(503);
        Watched unknown = watch(Duration.ofSeconds(3));
        assertFalse(unknown.watch().checkOnce());
        unknown.advance(Duration.ofSeconds(30));
        assertFalse(unknown.watch().checkOnce(), "an API that does not answer says nothing about the owner");
        assertEquals(0, unknown.fired().get());
        status.set(200);
        assertFalse(unknown.watch().checkOnce(), "the first real answer starts the clock");
        unknown.advance(Duration.ofSeconds(3));
        assertTrue(unknown.watch().checkOnce());
    }

    @Test
    void aRunnerInAPodExitsWhenItsLeaseLapses() throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"agent_id\":\"a\",\"nonce\":\"n\",\"http_port\":0}");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                RunnerMain.class.getName(), "--config", config.toString())
                .redirectError(dir.resolve("runner.err").toFile());
        pb.environment().putAll(env("1"));
        Process p = pb.start();
        started.add(p);
        String ready = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertNotNull(ready, "runner did not start: " + Files.readString(dir.resolve("runner.err")));
        // Renewed every 250 ms for 1.5 s: alive past its 1 s timeout.
        for (int i = 0; i < 6; i++) {
            renewals.incrementAndGet();
            Thread.sleep(250);
        }
        assertTrue(p.isAlive(), "a renewed lease keeps the runner: " + Files.readString(dir.resolve("runner.err")));
        long t0 = System.nanoTime();
        assertTrue(p.waitFor(3, TimeUnit.SECONDS), "runner still alive 3 s after its lease stopped being renewed");
        assertEquals(0, p.exitValue());
        assertTrue(Files.readString(dir.resolve("runner.err")).contains("was not renewed for 1 s"));
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 3_000);
    }
}
