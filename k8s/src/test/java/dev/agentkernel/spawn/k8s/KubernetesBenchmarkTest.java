package dev.agentkernel.spawn.k8s;

import dev.agentkernel.protocol.OwnerLeaseEnv;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.spawn.NonceVault;
import dev.agentkernel.spawn.PluginRegistry;
import dev.agentkernel.spawn.k8s.testing.ProcessKubelet;
import dev.agentkernel.spawn.k8s.testing.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The benchmark rows of issue 4, through the test cluster. Opt-in (it starts 20 runner JVMs):
 * {@code mvn -pl k8s test -Dtest=KubernetesBenchmarkTest -Dagentkernel.bench=true}. Prints the table and
 * writes it to {@code target/k8s-bench.md}.
 */
@EnabledIfSystemProperty(named = "agentkernel.bench", matches = "true")
class KubernetesBenchmarkTest {

    @Test
    void apiCallsAndSpawnToReady() throws IOException {
        List<String> rows = new ArrayList<>();
        try (TestCluster cluster = TestCluster.start(1_000_000)) {
            // API calls: 100 agents on health-only pods (the kubelet answers /health; no runner JVM).
            try (KubernetesClient client = cluster.kernelClient()) {
                KubernetesBackend backend = backend(cluster, client, ProcessKubelet.HEALTH_ONLY_IMAGE, "100m");
                try {
                    cluster.clearCalls();
                    backend.spawn(KubernetesBackendTest.request("first").build()).join();
                    List<String> firstCalls = cluster.callsFrom("fabric8");
                    rows.add("| API calls, a kernel's first spawn | " + firstCalls.size() + " | adds the Lease, ServiceAccount, Role, RoleBinding |");
                    cluster.clearCalls();
                    backend.spawn(KubernetesBackendTest.request("probe").build()).join();
                    List<String> spawnCalls = cluster.callsFrom("fabric8");
                    rows.add("| API calls per spawn | " + spawnCalls.size() + " | " + String.join(", ", spawnCalls.stream().map(c -> c.replaceAll("\\?.*", "").replaceAll("/api/v1/namespaces/[^/]+/", "")).toList()) + " |");
                    List<CompletableFuture<SpawnResult>> more = new ArrayList<>();
                    for (int i = 2; i < 100; i++) more.add(backend.spawn(KubernetesBackendTest.request("a" + i).build()));
                    more.forEach(CompletableFuture::join);
                    cluster.clearCalls();
                    var status = backend.status().join();
                    assertEquals(100, status.size());
                    assertTrue(status.stream().allMatch(s -> s.live()));
                    rows.add("| API calls per status() with 100 agents | " + cluster.kernelCalls().size() + " | " + cluster.kernelCalls().getFirst().replaceAll("\\?.*", "") + " (label selector) |");
                    long t0 = System.nanoTime();
                    for (int i = 0; i < 20; i++) backend.status().join();
                    rows.add("| status() latency with 100 agents | " + String.format("%.1f ms", (System.nanoTime() - t0) / 20 / 1e6) + " | mean of 20 |");
                } finally {
                    backend.cleanup().join();
                    backend.close();
                }
            }
            // Spawn -> ready with real runners.
            for (int n : new int[] {1, 20}) {
                try (KubernetesClient client = cluster.kernelClient()) {
                    KubernetesBackend backend = backend(cluster, client, ProcessKubelet.IMAGE, "50m");
                    try {
                        long t0 = System.nanoTime();
                        List<CompletableFuture<SpawnResult>> spawns = new ArrayList<>();
                        for (int i = 0; i < n; i++) spawns.add(backend.spawn(KubernetesBackendTest.request("r" + i).build()));
                        spawns.forEach(CompletableFuture::join);
                        double ms = (System.nanoTime() - t0) / 1e6;
                        rows.add("| spawn→ready, " + n + " agent(s) at once (real runner JVMs, process kubelet) | "
                                + String.format("%.0f ms", ms) + " | " + (n == 1 ? "" : String.format("%.0f ms per agent", ms / n)) + " |");
                    } finally {
                        backend.cleanup().join();
                        backend.close();
                    }
                }
                KubernetesBackendTest.waitFor(() -> cluster.kubelet().runningProcesses() == 0, "runners stopped");
            }
            // Owner "kill -9" (renewals stop, nothing deleted) -> each runner exited, through the TLS lease path.
            List<Long> exits = new ArrayList<>();
            for (int trial = 0; trial < 5; trial++) {
                try (KubernetesClient client = cluster.kernelClient()) {
                    var s = new KubernetesSettings(TestCluster.NAMESPACE, ProcessKubelet.IMAGE, null, false, Access.DIRECT, List.of(), null,
                            Map.of(), List.of(), Map.of("cpu", "50m"), Map.of(OwnerLeaseEnv.TIMEOUT_SECONDS, "3"), Duration.ofSeconds(120));
                    KubernetesBackend backend = new KubernetesBackend(s, client, false, new PluginRegistry(List.of(new OpenClawPlugin())), new NonceVault());
                    try {
                        List<String> pods = new ArrayList<>();
                        for (int i = 0; i < 2; i++) {
                            SpawnResult r = backend.spawn(KubernetesBackendTest.request("k" + i).build()).join();
                            pods.add(backend.podName(r.agent().id()).orElseThrow());
                        }
                        backend.lease().stopRenewing();
                        long t0 = System.nanoTime();
                        List<String> left = new ArrayList<>(pods);
                        long deadline = t0 + Duration.ofSeconds(30).toNanos();
                        while (!left.isEmpty() && System.nanoTime() < deadline) {
                            for (var it = left.iterator(); it.hasNext(); ) {
                                var pod = cluster.admin().pods().inNamespace(TestCluster.NAMESPACE).withName(it.next()).get();
                                if (pod == null || !"Running".equals(pod.getStatus().getPhase())) {
                                    exits.add((System.nanoTime() - t0) / 1_000_000);
                                    it.remove();
                                }
                            }
                            Thread.sleep(20);
                        }
                        assertTrue(left.isEmpty(), "runners exited: " + left);
                    } catch (InterruptedException e) {
                        throw new RuntimeException(e);
                    } finally {
                        backend.cleanup().join();
                        backend.close();
                    }
                }
                new ClusterCleanup(cluster.admin(), TestCluster.NAMESPACE).deleteAll();
                KubernetesBackendTest.waitFor(() -> cluster.kubelet().runningProcesses() == 0, "runners stopped");
            }
            exits.sort(null);
            rows.add("| owner stops renewing (kill -9) → runner exited, 3 s lease, TLS + token lease path, p50 / p99 (" + exits.size()
                    + " pods) | " + exits.get(exits.size() / 2) + " ms / " + exits.get((int) Math.ceil(exits.size() * 0.99) - 1) + " ms | lease 3000 ms + up to a read period (750 ms) |");
            KubernetesBackendTest.waitFor(() -> cluster.leftovers().isEmpty(), "nothing left: " + cluster.leftovers());
        }
        String table = "| Kubernetes backend (test cluster) | value | note |\n|---|---|---|\n" + String.join("\n", rows) + "\n";
        System.out.println(table);
        Files.writeString(Path.of("target", "k8s-bench.md"), table);
    }

    static KubernetesBackend backend(TestCluster cluster, KubernetesClient client, String image, String cpu) {
        var s = new KubernetesSettings(TestCluster.NAMESPACE, image, null, false, Access.DIRECT, List.of(), null, Map.of(), List.of(),
                Map.of("cpu", cpu), Map.of(), Duration.ofSeconds(120));
        return new KubernetesBackend(s, client, false, new PluginRegistry(List.of(new OpenClawPlugin())), new NonceVault());
    }
}
