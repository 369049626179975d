package dev.agentkernel.spawn.k8s;

import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.PackageJob;
import dev.agentkernel.SourceBundle;
import dev.agentkernel.SpawnFailedException;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.blob.LocalBlobStore;
import dev.agentkernel.config.KernelConfig;
import dev.agentkernel.packaging.ImageIndex;
import dev.agentkernel.packaging.oci.LocalRegistry;
import dev.agentkernel.packaging.oci.OciPackaging;
import dev.agentkernel.packaging.oci.RegistryExtension;
import dev.agentkernel.packaging.oci.TestImages;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.spawn.NonceVault;
import dev.agentkernel.spawn.PluginRegistry;
import dev.agentkernel.spawn.k8s.testing.TestCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.agentkernel.spawn.k8s.KubernetesBackendTest.cause;
import static dev.agentkernel.spawn.k8s.KubernetesBackendTest.request;
import static dev.agentkernel.spawn.k8s.KubernetesBackendTest.waitFor;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A spawn with the id of an image built by the OCI packaging: the backend finds it in the state dir's
 * {@link ImageIndex}, runs its digest-pinned reference with an init container that links the bundles into the
 * workspace, and the process kubelet pulls the bundle layers from the real registry.
 */
@ExtendWith(RegistryExtension.class)
class PackagedImagesOnKubernetesTest {
    static TestCluster cluster;
    static LocalRegistry registry;
    static String baseImage;
    @TempDir
    Path state;
    KubernetesClient client;
    KubernetesBackend backend;

    @BeforeAll
    static void start(LocalRegistry r, @TempDir Path work) throws Exception {
        registry = r;
        baseImage = TestImages.pushTinyBase(r, work);
        cluster = TestCluster.start();
    }

    @AfterAll
    static void stop() { cluster.close(); }

    @AfterEach
    void tearDown() {
        if (backend != null) {
            backend.cleanup().join();
            backend.close();
        }
        if (client != null) client.close();
        waitFor(() -> cluster.leftovers().isEmpty(), "no objects left in the test cluster: " + cluster.leftovers());
        assertEquals(0, cluster.kubelet().runningProcesses(), "no runner process left");
    }

    KubernetesBackend backend() {
        KubernetesSettings s = new KubernetesSettings(TestCluster.NAMESPACE, baseImage, registry.host(), false, Access.DIRECT, List.of(),
                null, Map.of(), List.of(), Map.of("cpu", "500m", "memory", "256Mi"), Map.of(), Duration.ofSeconds(30));
        client = cluster.kernelClient();
        backend = new KubernetesBackend(s, client, false, new PluginRegistry(List.of(new OpenClawPlugin())), new NonceVault(),
                new ImageIndex(state));
        return backend;
    }

    PackageJob build(Path src) throws Exception {
        KernelConfig config = new KernelConfig("kubernetes", TestCluster.NAMESPACE, baseImage, null, registry.host(), false,
                state, null, null, null, null, null, null, null);
        LocalBlobStore blobs = new LocalBlobStore(state);
        OciPackaging packaging = OciPackaging.create(config, blobs, state);
        PackageJob job = packaging.createAgentImage("tools-worker",
                List.of(new SourceBundle(blobs.uploadDir(src), Map.of("name", "tools")))).get(60, TimeUnit.SECONDS);
        assertEquals(PackageJob.Status.SUCCEEDED, job.status(), job.error());
        return job;
    }

    @Test
    void anImageIdFromThePackagingRunsItsImageWithTheBundlesLinkedIntoTheWorkspace() throws Exception {
        Path src = Files.createDirectories(state.resolve("src"));
        Files.writeString(src.resolve("hello.txt"), "from the registry\n");
        PackageJob job = build(src);
        backend();

        SpawnResult r = backend.spawn(request("bundled").imageId(job.image().id()).build()).join();

        String podName = backend.podName(r.agent().id()).orElseThrow();
        Pod pod = cluster.admin().pods().inNamespace(TestCluster.NAMESPACE).withName(podName).get();
        assertEquals(job.image().reference(), pod.getSpec().getContainers().getFirst().getImage());
        var init = pod.getSpec().getInitContainers();
        assertEquals(1, init.size(), "one init container: " + init);
        assertEquals(AgentObjects.BUNDLES_INIT_CONTAINER, init.getFirst().getName());
        assertEquals(job.image().reference(), init.getFirst().getImage(), "same image, so no second pull");
        assertEquals(List.of("ln", "-sfn", "/opt/agentkernel/bundles", "/workspace/bundles"), init.getFirst().getCommand());
        assertTrue(init.getFirst().getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(List.of("ALL"), init.getFirst().getSecurityContext().getCapabilities().getDrop());
        String config = cluster.admin().configMaps().inNamespace(TestCluster.NAMESPACE).withName(podName + "-config").get()
                .getData().get(AgentObjects.CONFIG_KEY);
        assertEquals("/opt/agentkernel/bundles/tools", Protocol.json().readTree(config).path("bundles").path(0).asText(), config);

        // The kubelet read the layer back from the registry; the link makes it bundles/tools/ in the workspace.
        Path workspace = cluster.kubelet().workspace(podName).orElseThrow();
        assertTrue(Files.isSymbolicLink(workspace.resolve("bundles")));
        assertEquals("from the registry\n", Files.readString(workspace.resolve("bundles/tools/hello.txt")));
    }

    @Test
    void withoutAnImageIdThePodRunsTheBaseWithNoInitContainerAndNoBundles() throws Exception {
        backend();
        SpawnResult r = backend.spawn(request("plain").build()).join();
        String podName = backend.podName(r.agent().id()).orElseThrow();
        Pod pod = cluster.admin().pods().inNamespace(TestCluster.NAMESPACE).withName(podName).get();
        assertEquals(baseImage, pod.getSpec().getContainers().getFirst().getImage());
        assertTrue(pod.getSpec().getInitContainers() == null || pod.getSpec().getInitContainers().isEmpty());
        String config = cluster.admin().configMaps().inNamespace(TestCluster.NAMESPACE).withName(podName + "-config").get()
                .getData().get(AgentObjects.CONFIG_KEY);
        assertFalse(Protocol.json().readTree(config).has("bundles"), config);
        assertFalse(Files.exists(cluster.kubelet().workspace(podName).orElseThrow().resolve("bundles")));
    }

    @Test
    void anIndexedImageThatIsGoneFromTheRegistryFailsWithTheRegistrysAnswer() {
        String gone = registry.host() + "/tools-worker@sha256:" + "0".repeat(64);
        new ImageIndex(state).record(new ImageIndex.Entry("tools-worker-000000000000", "tools-worker", gone, List.of("tools")));
        backend();
        Throwable e = cause(() -> backend.spawn(request("orphan").imageId("tools-worker-000000000000").build()).join());
        assertInstanceOf(SpawnFailedException.class, e);
        assertTrue(e.getMessage().contains("ErrImagePull") || e.getMessage().contains("ImagePullBackOff"), e.getMessage());
        assertTrue(e.getMessage().contains(gone), "names the reference: " + e.getMessage());
        assertTrue(e.getMessage().contains("MANIFEST_UNKNOWN") || e.getMessage().contains("manifest unknown"),
                "carries the registry's answer: " + e.getMessage());
    }
}
