package dev.agentkernel.spawn.k8s;

import dev.agentkernel.protocol.OwnerLeaseEnv;
import dev.agentkernel.ConfigException;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.spawn.NonceVault;
import dev.agentkernel.spawn.PluginRegistry;
import dev.agentkernel.spawn.k8s.testing.TestCluster;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Owner leases on Kubernetes (issue 8) in the test cluster, with a 3 s lease: the runners of a kernel
 * that stopped renewing exit by themselves and {@link ClusterCleanup#deleteExpired()} deletes their pods,
 * while a kernel that keeps renewing keeps its pods and a detached pod holds no lease at all.
 */
class OwnerLeaseTest {
    static final int LEASE_SECONDS = 3;
    static TestCluster cluster;
    final List<KubernetesBackend> backends = new ArrayList<>();
    final List<KubernetesClient> clients = new ArrayList<>();

    @BeforeAll
    static void startCluster() { cluster = TestCluster.start(16_000); }

    @AfterAll
    static void stopCluster() { cluster.close(); }

    @AfterEach
    void tearDown() {
        for (KubernetesBackend b : backends) {
            b.cleanup().join();
            b.close();
        }
        clients.forEach(KubernetesClient::close);
        new ClusterCleanup(cluster.admin(), TestCluster.NAMESPACE).deleteAll();
        KubernetesBackendTest.waitFor(() -> cluster.leftovers().isEmpty(), "no objects left: " + cluster.leftovers());
        KubernetesBackendTest.waitFor(() -> cluster.kubelet().runningProcesses() == 0, "no runner process left");
    }

    KubernetesBackend backend(Map<String, String> hostEnv) {
        KubernetesClient client = cluster.kernelClient();
        clients.add(client);
        KubernetesSettings s = KubernetesBackendTest.settings(false, Access.DIRECT);
        KubernetesSettings withEnv = new KubernetesSettings(s.namespace(), s.baseImage(), s.registryUrl(), s.debug(), s.access(),
                s.imagePullSecrets(), s.serviceAccount(), s.nodeSelector(), s.tolerations(), s.defaultResources(), hostEnv, s.spawnTimeout());
        KubernetesBackend b = new KubernetesBackend(withEnv, client, false, new PluginRegistry(List.of(new OpenClawPlugin())), new NonceVault());
        backends.add(b);
        return b;
    }

    static Map<String, String> shortLease() { return Map.of(OwnerLeaseEnv.TIMEOUT_SECONDS, String.valueOf(LEASE_SECONDS)); }

    Pod pod(KubernetesBackend b, SpawnResult r) {
        return cluster.admin().pods().inNamespace(TestCluster.NAMESPACE).withName(b.podName(r.agent().id()).orElseThrow()).get();
    }

    static String env(Pod pod, String name) {
        return pod.getSpec().getContainers().getFirst().getEnv().stream().filter(e -> e.getName().equals(name))
                .map(EnvVar::getValue).findFirst().orElse(null);
    }

    static String phase(Pod pod) { return pod == null ? "Deleted" : pod.getStatus().getPhase(); }

    @Test
    void podsOfAKernelThatStoppedRenewingAreGoneWhileALiveKernelKeepsItsPods() {
        KubernetesBackend dying = backend(shortLease());
        KubernetesBackend living = backend(shortLease());
        SpawnResult a1 = dying.spawn(KubernetesBackendTest.request("a1").build()).join();
        SpawnResult a2 = dying.spawn(KubernetesBackendTest.request("a2").build()).join();
        SpawnResult loner = dying.spawn(KubernetesBackendTest.request("loner").detached(true).build()).join();
        SpawnResult b1 = living.spawn(KubernetesBackendTest.request("b1").build()).join();

        // One Lease per kernel, named after it; the pods name it in a label and their env; detached pods do not.
        Lease lease = cluster.admin().leases().inNamespace(TestCluster.NAMESPACE).withName(dying.lease().name()).get();
        assertNotNull(lease, "the kernel holds a Lease named " + dying.lease().name());
        assertEquals("agentkernel-" + dying.kernelId(), lease.getMetadata().getName());
        assertEquals("agentkernel", lease.getMetadata().getLabels().get(Labels.MANAGED_BY));
        assertEquals(dying.kernelId(), lease.getSpec().getHolderIdentity());
        assertEquals(LEASE_SECONDS, lease.getSpec().getLeaseDurationSeconds());
        Pod p1 = pod(dying, a1);
        assertEquals(dying.lease().name(), p1.getMetadata().getLabels().get(OwnerLease.LABEL));
        assertEquals(dying.lease().name(), env(p1, OwnerLeaseEnv.LEASE));
        assertEquals("3", env(p1, OwnerLeaseEnv.TIMEOUT_SECONDS));
        assertEquals(TestCluster.NAMESPACE, env(p1, OwnerLeaseEnv.NAMESPACE));
        Pod detached = pod(dying, loner);
        assertNull(detached.getMetadata().getLabels().get(OwnerLease.LABEL), "a detached pod holds no lease");
        assertNull(env(detached, OwnerLeaseEnv.LEASE));
        assertEquals(2, cluster.admin().leases().inNamespace(TestCluster.NAMESPACE).withLabel(Labels.MANAGED_BY).list().getItems().size(),
                "one lease per kernel, not per agent");

        // Issue 13.1: the pod gets exactly what the lease watch needs: its kernel's service account, allowed
        // get/watch on this one Lease, and a projected short-lived token with the cluster CA.
        assertEquals(dying.lease().name(), p1.getSpec().getServiceAccountName());
        assertEquals(Boolean.FALSE, p1.getSpec().getAutomountServiceAccountToken());
        var projected = p1.getSpec().getVolumes().stream().filter(v -> v.getName().equals(OwnerLease.API_ACCESS_VOLUME)).findFirst()
                .orElseThrow().getProjected();
        assertEquals(OwnerLease.TOKEN_SECONDS, projected.getSources().get(0).getServiceAccountToken().getExpirationSeconds());
        assertEquals(OwnerLease.ROOT_CA_CONFIGMAP, projected.getSources().get(1).getConfigMap().getName());
        assertTrue(p1.getSpec().getContainers().getFirst().getVolumeMounts().stream()
                .anyMatch(m -> m.getMountPath().equals(OwnerLease.SERVICE_ACCOUNT_PATH) && Boolean.TRUE.equals(m.getReadOnly())));
        var role = cluster.admin().rbac().roles().inNamespace(TestCluster.NAMESPACE).withName(dying.lease().name()).get();
        assertEquals(1, role.getRules().size());
        assertEquals(List.of("get", "watch"), role.getRules().getFirst().getVerbs());
        assertEquals(List.of(dying.lease().name()), role.getRules().getFirst().getResourceNames());
        assertNull(env(p1, "AGENTKERNEL_KUBE_API_URL"), "no plain-http shortcut");
        assertNull(detached.getSpec().getServiceAccountName(), "a detached pod gets no API access");

        // What a kill -9 looks like from the cluster: renewals stop, nothing is deleted.
        dying.lease().stopRenewing();
        List<String> dyingPods = List.of(p1.getMetadata().getName(), pod(dying, a2).getMetadata().getName());
        long t0 = System.nanoTime();
        waitUpTo(Duration.ofSeconds(LEASE_SECONDS + 5), () -> dyingPods.stream().noneMatch(n -> "Running".equals(phaseOf(n))),
                "the runners of the kernel that stopped renewing exit by themselves");
        long exitedMs = (System.nanoTime() - t0) / 1_000_000;
        // They saw it over TLS with the token the kubelet keeps rewriting (every 1 s), re-read for each request.
        List<String> decisions = cluster.podApiDecisions().stream().filter(d -> d.contains(dying.lease().name())).toList();
        assertTrue(decisions.stream().anyMatch(d -> d.startsWith("200 GET") && d.contains("/leases/" + dying.lease().name())), decisions.toString());
        assertTrue(decisions.stream().noneMatch(d -> d.startsWith("401") || d.startsWith("403")), "no refused read: " + decisions);
        for (String p : dyingPods) assertTrue(cluster.tokensUsedBy(p) > 1, p + " re-read its rewritten token: " + cluster.tokensUsedBy(p));
        assertTrue(exitedMs >= (LEASE_SECONDS - 1) * 1000L, "not before the lease time: " + exitedMs + " ms");
        assertEquals("Running", phase(pod(living, b1)), "the kernel that renews keeps its pod past the lease time");
        assertEquals("Running", phase(pod(dying, loner)), "the detached pod does not depend on any lease");

        List<ClusterCleanup.Found> deleted = new ClusterCleanup(cluster.admin(), TestCluster.NAMESPACE).deleteExpired();
        Set<String> names = deleted.stream().map(f -> f.resource() + "/" + f.name()).collect(Collectors.toSet());
        for (String p : dyingPods) {
            assertTrue(names.contains("pods/" + p), "cleanup deletes pod " + p + ": " + names);
            assertTrue(names.contains("configmaps/" + p + "-config") && names.contains("secrets/" + p + "-secret"), names.toString());
        }
        assertTrue(names.contains("leases/" + dying.lease().name()), names.toString());
        for (String kind : List.of("serviceaccounts", "roles", "rolebindings")) {
            assertTrue(names.contains(kind + "/" + dying.lease().name()), "the dead kernel's pod identity goes too: " + names);
        }
        assertEquals(dyingPods.size() * 3 + 4, deleted.size(), "nothing of the living kernel or the detached pod: " + names);
        KubernetesBackendTest.waitFor(() -> dyingPods.stream().allMatch(n -> phaseOf(n).equals("Deleted")), "expired pods deleted");
        assertEquals("Running", phase(pod(living, b1)));
        assertEquals("Running", phase(pod(dying, loner)));
        assertEquals("Running", phase(pod(living, b1)));
        assertTrue(living.status().join().getFirst().live());
        System.out.println("BENCH lease " + LEASE_SECONDS + " s: renewals stopped -> runners exited in " + exitedMs + " ms");
    }

    /**
     * The whole path as a real cluster runs it: a kernel JVM killed with SIGKILL (no shutdown hook, no close())
     * leaves a pod whose runner reads the expired Lease over TLS with its projected token and exits, and
     * {@link ClusterCleanup#deleteExpired()} then deletes the pod. The test above stops the renewals inside this
     * JVM; only a separate process can show that nothing of the dead kernel is needed.
     */
    @Test
    void aKernelKilledWithSigkillLeavesNoRunningPod(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path yaml = java.nio.file.Files.writeString(dir.resolve("agentkernel.yaml"), """
                backend: kubernetes
                namespace: %s
                base_image: %s
                kubeconfig: %s
                access: direct
                state_dir: %s
                """.formatted(TestCluster.NAMESPACE, dev.agentkernel.spawn.k8s.testing.ProcessKubelet.IMAGE, cluster.kubeconfig(),
                dir.resolve("state")));
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), KernelOnClusterMain.class.getName(), yaml.toString())
                .redirectError(dir.resolve("kernel.err").toFile());
        pb.environment().put(OwnerLeaseEnv.TIMEOUT_SECONDS, String.valueOf(LEASE_SECONDS));
        Process kernel = pb.start();
        String podName = null;
        try {
            var lines = new java.io.BufferedReader(new java.io.InputStreamReader(kernel.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            for (String line; (line = lines.readLine()) != null && !line.equals("READY"); ) {
                if (line.startsWith("POD ")) podName = line.substring(4);
            }
            String name = podName;
            assertNotNull(name, "the kernel JVM spawned a pod; its stderr: " + java.nio.file.Files.readString(dir.resolve("kernel.err")));
            assertEquals("Running", phaseOf(name));
            String leaseName = cluster.admin().pods().inNamespace(TestCluster.NAMESPACE).withName(name).get()
                    .getMetadata().getLabels().get(OwnerLease.LABEL);
            assertNotNull(leaseName, "the pod names its kernel's lease");

            kernel.destroyForcibly();
            kernel.waitFor();
            long t0 = System.nanoTime();
            waitUpTo(Duration.ofSeconds(LEASE_SECONDS + 5), () -> !"Running".equals(phaseOf(name)),
                    "the runner of the SIGKILLed kernel exits by itself");
            long exitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(cluster.podApiDecisions().stream().anyMatch(d -> d.startsWith("200 GET") && d.contains("/leases/" + leaseName)),
                    "it read the lease over the pod API with its token: " + cluster.podApiDecisions());
            Set<String> deleted = new ClusterCleanup(cluster.admin(), TestCluster.NAMESPACE).deleteExpired().stream()
                    .map(f -> f.resource() + "/" + f.name()).collect(Collectors.toSet());
            assertTrue(deleted.contains("pods/" + name) && deleted.contains("leases/" + leaseName), deleted.toString());
            KubernetesBackendTest.waitFor(() -> phaseOf(name).equals("Deleted"), "the expired pod deleted");
            System.out.println("BENCH kernel SIGKILL -> runner exited in " + exitedMs + " ms (lease " + LEASE_SECONDS + " s)");
        } finally {
            kernel.destroyForcibly().waitFor();
        }
    }

    @Test
    void leaseApiCostIsOneRenewalPerPeriodWhateverTheAgentCount() throws Exception {
        KubernetesBackend b = backend(shortLease());
        for (int i = 0; i < 3; i++) b.spawn(KubernetesBackendTest.request("n" + i).build()).join();
        cluster.clearCalls();
        long renewals0 = b.lease().renewals();
        Thread.sleep(3_500);
        List<String> calls = cluster.kernelCalls();
        long kernelLeaseCalls = calls.stream().filter(c -> c.startsWith("PATCH") && c.contains("/leases/")).count();
        // The runners' side: a watch each where the API server streams, else (this mock server) a GET per period.
        long runnerReads = calls.stream().filter(c -> c.startsWith("GET") && c.contains("/leases/" + b.lease().name())).count();
        long runnerWatches = calls.stream().filter(c -> c.startsWith("GET") && c.contains("watch=true")).count();
        long renewals = b.lease().renewals() - renewals0;
        assertEquals(Duration.ofSeconds(1), b.lease().renewEvery());
        assertTrue(kernelLeaseCalls >= 2 && kernelLeaseCalls <= 4, "about one PATCH a second for 3 agents: " + calls);
        // A renewal in flight at either end of the window may be counted on one side only.
        assertTrue(Math.abs(renewals - kernelLeaseCalls) <= 1, renewals + " renewals, " + kernelLeaseCalls + " PATCHes");
        // Issue 13.8: a renewal is one call, a PATCH of the Lease the kernel holds, with no GET before it.
        List<String> fabric8LeaseCalls = cluster.callsFrom("fabric8").stream().filter(c -> c.contains("/leases")).toList();
        assertTrue(fabric8LeaseCalls.stream().allMatch(c -> c.startsWith("PATCH")), "one API call per renewal: " + fabric8LeaseCalls);
        assertTrue(Math.abs(renewals - fabric8LeaseCalls.size()) <= 1, renewals + " renewals: " + fabric8LeaseCalls);
        assertTrue(calls.stream().filter(c -> !c.contains("/leases")).toList().isEmpty(), "no other kernel traffic: " + calls);
        // Default lease: 60 s, renewed every 20 s / 3 capped at 10 s -> 6 calls a minute per kernel.
        OwnerLease defaults = OwnerLease.fromEnv(null, "x", Map.of());
        assertEquals(Duration.ofSeconds(60), defaults.timeout());
        assertEquals(Duration.ofSeconds(10), defaults.renewEvery());
        System.out.println("BENCH lease 3 s, 3 agents, 3.5 s window: kernel PATCHes=" + kernelLeaseCalls + " runner GETs=" + runnerReads + " runner watch requests=" + runnerWatches);
    }

    @Test
    void badLeaseTimeoutIsAConfigError() {
        ConfigException e = assertThrows(ConfigException.class, () -> OwnerLease.timeoutSeconds(Map.of(OwnerLeaseEnv.TIMEOUT_SECONDS, "1")));
        assertTrue(e.getMessage().contains(OwnerLeaseEnv.TIMEOUT_SECONDS) && e.getMessage().contains(">= 2"), e.getMessage());
        assertThrows(ConfigException.class, () -> OwnerLease.timeoutSeconds(Map.of(OwnerLeaseEnv.TIMEOUT_SECONDS, "soon")));
        assertEquals(60, OwnerLease.timeoutSeconds(Map.of()));
    }

    @Test
    void closingTheKernelDeletesItsLeaseAndAKernelWithOnlyDetachedAgentsHoldsNone() {
        KubernetesBackend b = backend(shortLease());
        b.spawn(KubernetesBackendTest.request("solo").detached(true).build()).join();
        assertNull(cluster.admin().leases().inNamespace(TestCluster.NAMESPACE).withName(b.lease().name()).get(),
                "no lease until a non-detached agent is spawned");
        b.spawn(KubernetesBackendTest.request("bound").build()).join();
        assertNotNull(cluster.admin().leases().inNamespace(TestCluster.NAMESPACE).withName(b.lease().name()).get());
        b.cleanup().join();
        b.close();
        backends.remove(b);
        assertNull(cluster.admin().leases().inNamespace(TestCluster.NAMESPACE).withName(b.lease().name()).get(), "close deletes the lease");
    }

    @Test
    void aKubernetesKernelSaysItCannotReattach(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path yaml = java.nio.file.Files.writeString(dir.resolve("agentkernel.yaml"),
                "backend: kubernetes\nnamespace: " + TestCluster.NAMESPACE + "\nkubeconfig: " + cluster.kubeconfig()
                        + "\nstate_dir: " + dir.resolve("state") + "\n");
        try (dev.agentkernel.AgentKernel kernel = dev.agentkernel.AgentKernel.builder().config(yaml).plugins(new OpenClawPlugin()).build()) {
            var e = assertThrows(dev.agentkernel.InvalidRequestException.class, () -> kernel.attach("some-id", "some-nonce"));
            assertTrue(e.getMessage().contains("kubernetes backend cannot re-attach") && e.getMessage().contains("local and sandbox"),
                    e.getMessage());
        }
    }

    private String phaseOf(String podName) {
        return phase(cluster.admin().pods().inNamespace(TestCluster.NAMESPACE).withName(podName).get());
    }

    private static void waitUpTo(Duration d, java.util.function.BooleanSupplier cond, String what) {
        long deadline = System.nanoTime() + d.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out after " + d + " waiting until " + what);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        }
    }
}
