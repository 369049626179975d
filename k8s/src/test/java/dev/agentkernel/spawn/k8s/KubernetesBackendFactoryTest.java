package dev.agentkernel.spawn.k8s;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.ConfigException;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.config.KernelConfigLoader;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.spawn.Backend;
import dev.agentkernel.spawn.BackendContext;
import dev.agentkernel.spawn.BackendFactory;
import dev.agentkernel.spawn.NonceVault;
import dev.agentkernel.spawn.PluginRegistry;
import dev.agentkernel.spawn.k8s.testing.ProcessKubelet;
import dev.agentkernel.spawn.k8s.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.*;

/** The backend as the kernel finds it (ServiceLoader + YAML config with a kubeconfig), and the cleanup entry point. */
class KubernetesBackendFactoryTest {
    static TestCluster cluster;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() { cluster = TestCluster.start(); }

    @AfterAll
    static void stop() { cluster.close(); }

    Path config(String extra) throws Exception {
        return Files.writeString(dir.resolve("agentkernel.yaml"), """
                backend: kubernetes
                namespace: %s
                base_image: %s
                kubeconfig: %s
                access: port-forward
                debug: false
                resources: {cpu: "250m", memory: 128Mi}
                """.formatted(TestCluster.NAMESPACE, ProcessKubelet.IMAGE, cluster.kubeconfig()) + extra);
    }

    static BackendFactory factory() {
        return ServiceLoader.load(BackendFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equals("kubernetes")).findFirst().orElseThrow(() -> new AssertionError("no kubernetes BackendFactory registered"));
    }

    @Test
    void serviceLoaderFindsTheFactoryAndItBuildsABackendFromTheYaml() throws Exception {
        var cfg = KernelConfigLoader.load(config(""));
        NonceVault vault = new NonceVault();
        Backend backend = factory().create(new BackendContext(cfg, dir, new PluginRegistry(List.of(new OpenClawPlugin())), vault, Map.of(), Duration.ofSeconds(30)));
        try {
            assertEquals("kubernetes", backend.name());
            var r = backend.spawn(SpawnRequest.builder().name("from-yaml").spawnInfo(OpenClawSpawnInfo.builder().apiKey("k").build()).build()).join();
            assertEquals(r.nonce(), vault.get(r.agent().id()).orElseThrow());
            assertEquals("250m", KubernetesBackendTest.podTotal(cluster.admin().pods().inNamespace(TestCluster.NAMESPACE)
                    .withLabel(Labels.AGENT_ID, r.agent().id()).list().getItems().getFirst(), true, "cpu"));
        } finally {
            backend.cleanup().join();
            backend.close();
        }
        KubernetesBackendTest.waitFor(() -> cluster.leftovers().isEmpty(), "nothing left: " + cluster.leftovers());
    }

    @Test
    void missingKubeconfigFailsWhenTheKernelIsBuilt() throws Exception {
        Path yaml = Files.writeString(dir.resolve("bad.yaml"), "backend: kubernetes\nnamespace: a\nkubeconfig: " + dir.resolve("gone") + "\n");
        var ctx = new BackendContext(KernelConfigLoader.load(yaml), dir, new PluginRegistry(List.of()), new NonceVault(), Map.of(), Duration.ofSeconds(5));
        var e = assertThrows(ConfigException.class, () -> factory().create(ctx));
        assertTrue(e.getMessage().contains("'kubeconfig'") && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void cleanupEntryPointListsOnDryRunThenDeletes() throws Exception {
        Path yaml = config("");
        var cfg = KernelConfigLoader.load(yaml);
        NonceVault vault = new NonceVault();
        Backend dying = factory().create(new BackendContext(cfg, dir, new PluginRegistry(List.of(new OpenClawPlugin())), vault, Map.of(), Duration.ofSeconds(30)));
        dying.spawn(SpawnRequest.builder().name("left-behind").spawnInfo(OpenClawSpawnInfo.builder().apiKey("k").build()).build()).join();
        dying.close();  // the kernel goes away without cleanup
        KubernetesBackendTest.waitFor(() -> cluster.leftovers().stream().noneMatch(o -> o.startsWith("role") || o.startsWith("serviceaccount")),
                "the garbage collector took what the deleted Lease owned: " + cluster.leftovers());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        var found = ClusterCleanup.run(cfg, true, new PrintStream(out, true, StandardCharsets.UTF_8));
        // The pod, its configmap, secret and NetworkPolicy (close() deleted the Lease; the pods' identity went with it).
        assertEquals(4, found.size(), found.toString());
        String dry = out.toString(StandardCharsets.UTF_8);
        assertTrue(dry.contains("would delete pods/agent-left-behind-") && dry.contains("would delete networkpolicies/agent-left-behind-")
                && dry.contains("dry run: 4 object(s)"), dry);
        assertEquals(1, cluster.kubelet().runningProcesses(), "a dry run deletes nothing");

        out.reset();
        ClusterCleanup.run(cfg, false, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("deleted pods/agent-left-behind-"), out.toString());
        KubernetesBackendTest.waitFor(() -> cluster.leftovers().isEmpty() && cluster.kubelet().runningProcesses() == 0,
                "the orphan is gone: " + cluster.leftovers());
    }

    /** Once the kernel wires BackendFactory into AgentKernel.builder(), the whole public API runs on pods. */
    @Test
    void agentKernelFromConfigTalksToAPod() throws Exception {
        Path yaml = config("state_dir: " + dir.resolve("state") + "\n");
        AgentKernel kernel;
        try {
            kernel = AgentKernel.builder().config(yaml).plugins(new OpenClawPlugin()).build();
        } catch (ConfigException e) {
            Assumptions.assumeFalse(e.getMessage().contains("kubernetes"), "the kernel does not load backend 'kubernetes' yet: " + e.getMessage());
            throw e;
        }
        try (FakeLlmServer llm = FakeLlmServer.start(0); kernel) {
            assertEquals("kubernetes", kernel.backend());
            var r = kernel.spawner().spawn(SpawnRequest.builder().name("kernel-pod")
                    .spawnInfo(OpenClawSpawnInfo.builder().baseUrl(llm.anthropicBaseUrl()).apiKey("test-key").build()).build()).join();
            assertEquals("Echo: hi", kernel.ask(r.agent().id(), r.nonce(), "hi"));
            assertEquals("Running", kernel.status().join().getFirst().podPhase());
        }
        KubernetesBackendTest.waitFor(() -> cluster.leftovers().isEmpty(), "nothing left: " + cluster.leftovers());
    }
}
