package dev.agentkernel.spawn.k8s;

import dev.agentkernel.AgentNotFoundException;
import dev.agentkernel.AgentState;
import dev.agentkernel.AgentStatus;
import dev.agentkernel.CreateTeamRequest;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnFailedException;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.TeamCapacityException;
import dev.agentkernel.config.KernelConfig;
import dev.agentkernel.spawn.NonceVault;
import dev.agentkernel.spawn.PluginRegistry;
import dev.agentkernel.spawn.k8s.testing.ProcessKubelet;
import dev.agentkernel.spawn.k8s.testing.TestCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.*;

/** The backend against the test cluster: spawn, status, kill, teams and every fault the issue lists. */
class KubernetesBackendTest {
    static TestCluster cluster;
    final NonceVault vault = new NonceVault();
    KubernetesClient client;
    KubernetesBackend backend;

    @BeforeAll
    static void startCluster() { cluster = TestCluster.start(16_000); }

    @AfterAll
    static void stopCluster() { cluster.close(); }

    @AfterEach
    void tearDown() {
        cluster.allowAll();
        if (backend != null) {
            backend.cleanup().join();
            backend.close();
        }
        if (client != null) client.close();
        new ClusterCleanup(cluster.admin(), TestCluster.NAMESPACE).deleteAll();
        waitFor(() -> cluster.leftovers().isEmpty(), "no objects left in the test cluster: " + cluster.leftovers());
        assertEquals(0, cluster.kubelet().runningProcesses(), "no runner process left");
    }

    static KubernetesSettings settings(boolean debug, Access access) {
        return new KubernetesSettings(TestCluster.NAMESPACE, ProcessKubelet.IMAGE, "registry.test", debug, access, List.of(), null,
                Map.of(), List.of(), Map.of("cpu", "500m", "memory", "256Mi"), Map.of(), Duration.ofSeconds(30));
    }

    KubernetesBackend backend(boolean debug, Access access) {
        client = cluster.kernelClient();
        backend = new KubernetesBackend(settings(debug, access), client, false, new PluginRegistry(List.of(new OpenClawPlugin())), vault);
        return backend;
    }

    static SpawnRequest.Builder request(String name) {
        return SpawnRequest.builder().name(name).spawnInfo(OpenClawSpawnInfo.builder().baseUrl("http://127.0.0.1:9").apiKey("test-key").build());
    }

    /** The pod's total of a resource over its containers (the runner's and the tools container's shares). */
    static String podTotal(Pod pod, boolean requests, String key) {
        java.math.BigDecimal sum = java.math.BigDecimal.ZERO;
        for (var c : pod.getSpec().getContainers()) {
            var m = requests ? c.getResources().getRequests() : c.getResources().getLimits();
            if (m != null && m.get(key) != null) sum = sum.add(io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(m.get(key)));
        }
        return key.equals("cpu") ? AgentObjects.cpuQuantity(sum.movePointRight(3).longValue()).toString()
                : AgentObjects.memoryQuantity(sum.longValue()).toString();
    }

    static void waitFor(java.util.function.BooleanSupplier cond, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting for " + what);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        }
    }

    static Throwable cause(Runnable r) {
        CompletionException e = assertThrows(CompletionException.class, r::run);
        return e.getCause();
    }

    @Test
    void spawnCreatesSecurePodWithConfigMapAndSecretAndStatusUsesOneListCall() {
        backend(false, Access.DIRECT);
        SpawnResult r = backend.spawn(request("Research_Bot").metadata("role", "research").build()).join();
        assertEquals(AgentState.RUNNING, r.agent().state());
        assertEquals(vault.get(r.agent().id()).orElseThrow(), r.nonce());
        String podName = backend.podName(r.agent().id()).orElseThrow();
        assertTrue(podName.startsWith("agent-research-bot-"), podName);

        Pod pod = cluster.admin().pods().inNamespace(TestCluster.NAMESPACE).withName(podName).get();
        Map<String, String> labels = pod.getMetadata().getLabels();
        assertEquals("agentkernel", labels.get("app.kubernetes.io/managed-by"));
        assertEquals(r.agent().id(), labels.get("agentkernel/agent-id"));
        assertEquals("research", pod.getMetadata().getAnnotations().get("meta.agentkernel/role"));
        var c = pod.getSpec().getContainers().getFirst();
        assertEquals(ProcessKubelet.IMAGE, c.getImage());
        assertTrue(pod.getSpec().getSecurityContext().getRunAsNonRoot());
        assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation());
        assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
        assertEquals("/health", c.getReadinessProbe().getHttpGet().getPath());
        assertEquals("500m", podTotal(pod, true, "cpu"), "the pod requests the agent's cpu");
        assertEquals("256Mi", podTotal(pod, false, "memory"), "the pod's memory is the agent's");
        assertEquals("128Mi", c.getResources().getLimits().get("memory").toString(), "the runner's half (at most 384Mi)");
        assertEquals("500m", c.getResources().getLimits().get("cpu").toString(), "each container may burst to the agent's cpu");
        // Issue 12.2: the tools container has the workspace but not the runner's config, state or Secret.
        var tools = pod.getSpec().getContainers().get(1);
        assertEquals(AgentObjects.TOOLS_CONTAINER, tools.getName());
        assertEquals(AgentObjects.toolsCommand(), tools.getCommand());
        assertTrue(tools.getEnvFrom() == null || tools.getEnvFrom().isEmpty(), "no Secret in the tools' environment");
        assertEquals(java.util.Set.of("workspace", "tools-tmp", "tool-socket"),
                tools.getVolumeMounts().stream().map(m -> m.getName()).collect(java.util.stream.Collectors.toSet()));
        assertTrue(tools.getVolumeMounts().stream().filter(m -> m.getName().equals("tool-socket")).findFirst().orElseThrow().getReadOnly(),
                "the socket dir is read-only to the tools: none can put its own socket in the runner's place");
        assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals(AgentObjects.STATE_DIR)), "the runner's own state volume");
        assertTrue(c.getEnv().stream().anyMatch(e -> e.getName().equals(AgentObjects.TOOL_SOCKET_ENV) && e.getValue().equals(AgentObjects.TOOL_SOCKET)));

        ConfigMap cm = cluster.admin().configMaps().inNamespace(TestCluster.NAMESPACE).withName(podName + "-config").get();
        String config = cm.getData().get("config.json");
        assertFalse(config.contains(r.nonce()), "the ConfigMap must not hold the nonce");
        assertFalse(config.contains("test-key"), "the ConfigMap must not hold the API key");
        assertTrue(config.contains("\"bind_address\" : \"0.0.0.0\""), config);
        Secret secret = cluster.admin().secrets().inNamespace(TestCluster.NAMESPACE).withName(podName + "-secret").get();
        assertNotNull(secret);
        for (var owned : List.of(cm.getMetadata(), secret.getMetadata())) {
            assertEquals(pod.getMetadata().getUid(), owned.getOwnerReferences().getFirst().getUid(), "owned by the pod");
        }

        cluster.clearCalls();
        List<AgentStatus> status = backend.status().join();
        assertEquals(1, status.size());
        assertEquals("Running", status.getFirst().podPhase());
        assertTrue(status.getFirst().live());
        assertNull(status.getFirst().processAlive());
        assertEquals(1, cluster.kernelCalls().size(), "status() makes one API call: " + cluster.kernelCalls());

        backend.kill(r.agent().id()).join();
        assertTrue(vault.get(r.agent().id()).isEmpty());
        waitFor(() -> cluster.leftovers().stream().noneMatch(o -> o.startsWith("pod/") || o.startsWith("secret/") || o.startsWith("configmap/")),
                "the pod, its ConfigMap and its Secret are gone after kill: " + cluster.leftovers());
        assertInstanceOf(AgentNotFoundException.class, cause(() -> backend.kill(r.agent().id()).join()));
    }

    @Test
    void imageThatCannotBePulledFailsWithEventsAndThePodIsDeleted() {
        backend(false, Access.DIRECT);
        Throwable e = cause(() -> backend.spawn(request("puller").imageId("registry.test/nope:1").build()).join());
        assertInstanceOf(SpawnFailedException.class, e);
        assertTrue(e.getMessage().contains("ImagePullBackOff") || e.getMessage().contains("ErrImagePull"), e.getMessage());
        assertTrue(e.getMessage().contains("Failed to pull image \"registry.test/nope:1\""), "events are in the message: " + e.getMessage());
        assertTrue(e.getMessage().contains("the pod was deleted"), e.getMessage());
        waitFor(() -> cluster.admin().pods().inNamespace(TestCluster.NAMESPACE).list().getItems().isEmpty(), "failed pod deleted");
    }

    @Test
    void crashingRunnerReportsCrashLoopBackOffAndDebugKeepsThePod() {
        backend(true, Access.DIRECT);
        Throwable e = cause(() -> backend.spawn(request("crasher").imageId(ProcessKubelet.CRASHING_IMAGE).build()).join());
        assertInstanceOf(SpawnFailedException.class, e);
        assertTrue(e.getMessage().contains("exited with code") || e.getMessage().contains("CrashLoopBackOff"), e.getMessage());
        assertTrue(e.getMessage().contains("kept because debug is true"), e.getMessage());
        assertEquals(1, cluster.admin().pods().inNamespace(TestCluster.NAMESPACE).list().getItems().size(), "debug keeps the failed pod");
    }

    @Test
    void unschedulablePodNamesTheScheduler() {
        backend(false, Access.DIRECT);
        Throwable e = cause(() -> backend.spawn(request("huge").cpu(32).build()).join());
        assertInstanceOf(SpawnFailedException.class, e);
        assertTrue(e.getMessage().contains("Unschedulable") && e.getMessage().contains("Insufficient cpu"), e.getMessage());
    }

    @Test
    void forbiddenCreateNamesVerbAndResource() {
        backend(false, Access.DIRECT);
        cluster.forbid("POST", "/namespaces/agentkernel-0/pods$", "create", "pods");
        Throwable e = cause(() -> backend.spawn(request("denied").build()).join());
        KubernetesApiException api = assertInstanceOf(KubernetesApiException.class, e);
        assertEquals(403, api.code());
        assertEquals("create", api.verb());
        assertEquals("pods", api.resource());
        assertTrue(e.getMessage().contains("refused to create pods") && e.getMessage().contains("verb 'create' on resource 'pods'"), e.getMessage());
        cluster.allowAll();
        waitFor(() -> cluster.leftovers().isEmpty(), "the Secret and ConfigMap of the refused spawn are deleted: " + cluster.leftovers());
    }

    /** Issue 13.5: bounded by default, overridable per spawn, and one NetworkPolicy per agent that goes with it. */
    @Test
    void podsAreBoundedAndPolicedByDefault() {
        KubernetesSettings s = settings(false, Access.PORT_FORWARD);
        client = cluster.kernelClient();
        backend = new KubernetesBackend(new KubernetesSettings(s.namespace(), s.baseImage(), s.registryUrl(), false, Access.PORT_FORWARD,
                List.of(), null, Map.of(), List.of(), Map.of("cpu", "500m"), Map.of(), s.spawnTimeout(),
                dev.agentkernel.config.SandboxSettings.isolated("192.0.2.7:443")), client, false, new PluginRegistry(List.of(new OpenClawPlugin())), vault);
        SpawnResult plain = backend.spawn(request("plain").build()).join();
        SpawnResult big = backend.spawn(request("big").resources(Map.of("memory", "512Mi", "workspace", "3Gi")).build()).join();

        var pod = cluster.admin().pods().inNamespace(TestCluster.NAMESPACE).withName(backend.podName(plain.agent().id()).orElseThrow()).get();
        assertEquals("1Gi", podTotal(pod, false, "memory"), "default memory limit");
        assertEquals("384Mi", pod.getSpec().getContainers().get(0).getResources().getLimits().get("memory").toString(), "the runner's share");
        assertEquals("640Mi", pod.getSpec().getContainers().get(1).getResources().getLimits().get("memory").toString(), "the tools' share");
        assertEquals("2Gi", pod.getSpec().getContainers().get(1).getResources().getLimits().get("ephemeral-storage").toString(),
                "default ephemeral-storage limit of the tools container, which writes the workspace");
        assertEquals("1Gi", volume(pod, "workspace").getEmptyDir().getSizeLimit().toString(), "default workspace sizeLimit");
        var bigPod = cluster.admin().pods().inNamespace(TestCluster.NAMESPACE).withName(backend.podName(big.agent().id()).orElseThrow()).get();
        assertEquals("512Mi", podTotal(bigPod, false, "memory"));
        assertEquals("3Gi", volume(bigPod, "workspace").getEmptyDir().getSizeLimit().toString());
        assertTrue(PodLimits.take(new java.util.HashMap<>(Map.of("workspace", "3Gi")), 0).ephemeralStorageBytes() > 3L << 30);

        var policy = cluster.admin().network().v1().networkPolicies().inNamespace(TestCluster.NAMESPACE)
                .withName(AgentNetworkPolicy.name(pod.getMetadata().getName())).get();
        assertNotNull(policy, "one NetworkPolicy per agent");
        assertEquals(Map.of(Labels.AGENT_ID, plain.agent().id()), policy.getSpec().getPodSelector().getMatchLabels());
        assertEquals(List.of("Ingress", "Egress"), policy.getSpec().getPolicyTypes());
        assertTrue(policy.getSpec().getIngress().isEmpty(), "port-forward needs no ingress: " + policy.getSpec().getIngress());
        var egress = policy.getSpec().getEgress();
        assertEquals(53, egress.getFirst().getPorts().getFirst().getPort().getIntVal(), "DNS first");
        assertTrue(egress.stream().anyMatch(r -> r.getTo().getFirst().getIpBlock() != null
                && r.getTo().getFirst().getIpBlock().getCidr().equals("192.0.2.7/32") && r.getPorts().getFirst().getPort().getIntVal() == 443),
                "the allow-list entry: " + egress);
        assertTrue(egress.stream().allMatch(r -> r.getTo().stream().allMatch(t -> t.getIpBlock() == null || !t.getIpBlock().getCidr().startsWith("0.0.0.0"))),
                "nothing open to the world: " + egress);
        assertEquals(pod.getMetadata().getUid(), policy.getMetadata().getOwnerReferences().getFirst().getUid());

        backend.kill(plain.agent().id()).join();
        waitFor(() -> cluster.admin().network().v1().networkPolicies().inNamespace(TestCluster.NAMESPACE)
                .withName(AgentNetworkPolicy.name(pod.getMetadata().getName())).get() == null, "the policy goes with the pod");
    }

    static io.fabric8.kubernetes.api.model.Volume volume(io.fabric8.kubernetes.api.model.Pod pod, String name) {
        return pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
    }

    /** Issue 13.2: the default access checks its tunnel before spawn returns; a forbidden one names the RBAC fix. */
    @Test
    void forbiddenPortForwardFailsTheSpawnNamingVerbAndResourceAndLeavesNothing() {
        backend(false, Access.PORT_FORWARD);
        cluster.forbid("GET", "/pods/[^/]+/portforward", "create", "pods/portforward");
        Throwable e = cause(() -> backend.spawn(request("tunnel").build()).join());
        KubernetesApiException api = assertInstanceOf(KubernetesApiException.class, e, String.valueOf(e));
        assertEquals(403, api.code());
        assertEquals("create", api.verb());
        assertEquals("pods/portforward", api.resource());
        assertTrue(e.getMessage().contains("verb 'create' on resource 'pods/portforward'") && e.getMessage().contains("RBAC"), e.getMessage());
        assertTrue(backend.agents().isEmpty(), backend.agents().toString());
        cluster.allowAll();
        waitFor(() -> cluster.leftovers().isEmpty(), "nothing of the refused spawn is left: " + cluster.leftovers());
        waitFor(() -> cluster.kubelet().runningProcesses() == 0, "its runner stopped");
    }

    /** Issue 13.4: close() racing a spawn, at two points of it (objects being created; the pod starting). */
    @Test
    void closeDuringASpawnThrowsAnAgentKernelExceptionAndLeavesNothing() {
        for (String stage : List.of("secret", "pod")) {
            client = cluster.kernelClient();
            // The backend owns the client, as when built from the config: close() closes it.
            backend = new KubernetesBackend(settings(false, Access.DIRECT), client, true, new PluginRegistry(List.of(new OpenClawPlugin())), vault);
            var spawn = backend.spawn(request("racer-" + stage).build());
            waitFor(() -> stage.equals("secret")
                    ? !cluster.admin().secrets().inNamespace(TestCluster.NAMESPACE).withLabel(Labels.MANAGED_BY).list().getItems().isEmpty()
                    : !cluster.admin().pods().inNamespace(TestCluster.NAMESPACE).withLabel(Labels.MANAGED_BY).list().getItems().isEmpty(),
                    "the spawn created its " + stage);
            backend.close();
            Throwable e = cause(spawn::join);
            assertInstanceOf(dev.agentkernel.AgentKernelException.class, e, String.valueOf(e));
            assertTrue(e.getMessage().contains("kernel was closed") && e.getMessage().contains("racer-" + stage), e.getMessage());
            backend = null;
            client = null;
            waitFor(() -> cluster.leftovers().isEmpty(), "what the spawn created is deleted (" + stage + "): " + cluster.leftovers());
        }
    }

    @Test
    void podDeletedBehindTheKernelsBackShowsInStatus() {
        backend(false, Access.DIRECT);
        SpawnResult r = backend.spawn(request("victim").build()).join();
        String podName = backend.podName(r.agent().id()).orElseThrow();
        var endpoint = backend.endpoint(r.agent().id());
        assertTrue(endpoint.isAlive());
        cluster.admin().pods().inNamespace(TestCluster.NAMESPACE).withName(podName).delete();
        waitFor(() -> !endpoint.isAlive(), "the endpoint sees the pod gone");
        AgentStatus s = backend.status().join().getFirst();
        assertEquals("Deleted", s.podPhase());
        assertFalse(s.live());
        assertEquals(AgentState.FAILED, s.state());
    }

    @Test
    void teamCapacityIsCheckedBeforeAnyPodIsCreated() {
        backend(false, Access.DIRECT);
        backend.createTeam(new CreateTeamRequest("small", Map.of("cpu", 1))).join();
        cluster.clearCalls();
        Throwable e = cause(() -> backend.spawn(request("big").teamId("small").cpu(2).build()).join());
        assertInstanceOf(TeamCapacityException.class, e);
        assertTrue(cluster.kernelCalls().stream().noneMatch(c -> c.startsWith("POST")), "nothing created: " + cluster.kernelCalls());
    }

    @Test
    void missingNamespaceIsAConfigError() {
        client = cluster.kernelClient();
        var s = new KubernetesSettings("no-such-ns", ProcessKubelet.IMAGE, null, false, Access.DIRECT, List.of(), null, Map.of(), List.of(),
                Map.of(), Map.of(), Duration.ofSeconds(5));
        var e = assertThrows(dev.agentkernel.ConfigException.class,
                () -> new KubernetesBackend(s, client, false, new PluginRegistry(List.of(new OpenClawPlugin())), vault));
        assertTrue(e.getMessage().contains("namespace 'no-such-ns' does not exist") && e.getMessage().contains("kubectl create namespace"), e.getMessage());
    }

    @Test
    void cleanupAfterKernelDeathFindsAndRemovesItsPods() {
        KubernetesBackend dead = backend(false, Access.DIRECT);
        dead.spawn(request("orphan").build()).join();
        // The kernel "dies": no cleanup, its client and watch are gone.
        dead.close();
        backend = null;
        // close() deleted the Lease; the garbage collector takes the pods' ServiceAccount, Role and RoleBinding it owned.
        waitFor(() -> cluster.leftovers().stream().noneMatch(o -> o.startsWith("role") || o.startsWith("serviceaccount")),
                "the lease's dependents collected: " + cluster.leftovers());
        var cleanup = new ClusterCleanup(cluster.admin(), TestCluster.NAMESPACE);
        List<ClusterCleanup.Found> found = cleanup.find();
        assertTrue(found.stream().anyMatch(f -> f.resource().equals("pods")), found.toString());
        assertEquals(4, found.size(), "pod, configmap, secret and NetworkPolicy: " + found);
        cleanup.deleteAll();
        waitFor(() -> cluster.kubelet().runningProcesses() == 0, "the orphan's runner stopped");
        assertTrue(cleanup.find().isEmpty());
    }

    @Test
    void badEnvNameIsRejectedBeforeAnythingIsCreated() {
        backend(false, Access.DIRECT);
        cluster.clearCalls();
        Throwable e = cause(() -> backend.spawn(request("env").env("BAD-NAME", "x").build()).join());
        assertInstanceOf(dev.agentkernel.InvalidRequestException.class, e);
        assertTrue(e.getMessage().contains("'BAD-NAME'"), e.getMessage());
        assertTrue(cluster.kernelCalls().isEmpty(), cluster.kernelCalls().toString());
    }

    @Test
    void cleanupSparesDetachedAgentsAndRequestEnvReachesTheSecretNotTheConfigMap() {
        backend(false, Access.DIRECT);
        SpawnResult attached = backend.spawn(request("attached").build()).join();
        SpawnResult detached = backend.spawn(request("detached").detached(true).env("TOKEN_FOR_TOOL", "s3cr3t").build()).join();
        String pod = backend.podName(detached.agent().id()).orElseThrow();
        Secret secret = cluster.admin().secrets().inNamespace(TestCluster.NAMESPACE).withName(pod + "-secret").get();
        // The mock API server keeps stringData as sent; a real one moves it into data (base64).
        String secretText = secret.getData() != null && secret.getData().containsKey("TOKEN_FOR_TOOL")
                ? new String(java.util.Base64.getDecoder().decode(secret.getData().get("TOKEN_FOR_TOOL")))
                : secret.getStringData().get("TOKEN_FOR_TOOL");
        assertEquals("s3cr3t", secretText);
        assertFalse(cluster.admin().configMaps().inNamespace(TestCluster.NAMESPACE).withName(pod + "-config").get()
                .getData().get("config.json").contains("s3cr3t"));
        backend.cleanup().join();
        assertTrue(backend.agent(attached.agent().id()).map(a -> a.state() == AgentState.STOPPED).orElse(false));
        assertEquals(List.of(detached.agent().id()), backend.agents().stream().map(a -> a.id()).toList());
        assertEquals("true", cluster.admin().pods().inNamespace(TestCluster.NAMESPACE).withName(pod).get()
                .getMetadata().getLabels().get(Labels.DETACHED));
        backend.kill(detached.agent().id()).join();
    }

    @Test
    void forbiddenListInStatusNamesVerbAndResource() {
        backend(false, Access.DIRECT);
        cluster.forbid("GET", "/namespaces/agentkernel-0/pods\\?labelSelector=[^&]*$", "list", "pods");
        Throwable e = cause(() -> backend.status().join());
        KubernetesApiException api = assertInstanceOf(KubernetesApiException.class, e);
        assertEquals("list", api.verb());
        assertTrue(e.getMessage().contains("refused to list pods in namespace 'agentkernel-0'"), e.getMessage());
    }
}
