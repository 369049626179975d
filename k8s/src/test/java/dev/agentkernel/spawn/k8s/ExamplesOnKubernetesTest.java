package dev.agentkernel.spawn.k8s;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.examples.LlmSetup;
import dev.agentkernel.examples.SimpleAgent;
import dev.agentkernel.examples.TeamScenario;
import dev.agentkernel.packaging.oci.LocalRegistry;
import dev.agentkernel.packaging.oci.OciPackaging;
import dev.agentkernel.packaging.oci.RegistryExtension;
import dev.agentkernel.packaging.oci.TestImages;
import dev.agentkernel.spawn.k8s.testing.ProcessKubelet;
import dev.agentkernel.spawn.k8s.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The seed's examples, unchanged, on the Kubernetes backend of the test cluster, configured by YAML as a user would.
 * team_scenario runs against a real docker-registry: its worker image is built with Jib and pushed there, and the
 * process kubelet pulls the pods' images (manifest and bundle layers) back from it.
 */
@ExtendWith(RegistryExtension.class)
class ExamplesOnKubernetesTest {
    static TestCluster cluster;
    static LocalRegistry registry;
    /** A tiny base image (no JRE: the process kubelet runs the runner from the local build) pushed to the registry. */
    static String baseImage;
    @TempDir
    Path dir;

    @BeforeAll
    static void start(LocalRegistry r, @TempDir Path work) throws Exception {
        registry = r;
        baseImage = TestImages.pushTinyBase(r, work);
        cluster = TestCluster.start();
    }

    @AfterAll
    static void stop() { cluster.close(); }

    void run(String baseImage, String extraYaml, BiConsumer<AgentKernel, LlmSetup> example, PrintStream out) throws Exception {
        Path yaml = Files.writeString(dir.resolve("agentkernel.yaml"), """
                backend: kubernetes
                namespace: %s
                base_image: %s
                kubeconfig: %s
                access: port-forward
                state_dir: %s
                %s""".formatted(TestCluster.NAMESPACE, baseImage, cluster.kubeconfig(), dir.resolve("state"), extraYaml));
        try (LlmSetup llm = LlmSetup.offline(out); AgentKernel kernel = AgentKernel.fromConfig(yaml, new OpenClawPlugin())) {
            assertEquals("kubernetes", kernel.backend());
            example.accept(kernel, llm);
        }
        KubernetesBackendTest.waitFor(() -> cluster.leftovers().isEmpty(), "nothing left: " + cluster.leftovers());
    }

    @Test
    void simpleAgent() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        run(ProcessKubelet.IMAGE, "", (kernel, llm) -> SimpleAgent.run(kernel, llm, out), out);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("Echo:") || text.contains("Tool result"), text);
        assertFalse(text.contains("Exception"), text);
    }

    @Test
    void teamScenarioBuildsItsWorkerImageAndTheWorkerRunsItsBundle() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        run(baseImage, "registry_url: " + registry.host() + "\n", (kernel, llm) -> {
            assertInstanceOf(OciPackaging.class, kernel.packaging(), "the oci module's PackagingFactory serves kubernetes");
            TeamScenario.run(kernel, llm, out);
        }, out);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains(TeamScenario.TEAM_ID), text);
        assertTrue(text.toLowerCase().contains("full"), "the third agent is refused for capacity: " + text);
        assertTrue(text.contains("Deleted " + TeamScenario.TEAM_ID), text);
        // A real OCI image in the registry, pinned by digest, and the pod ran it with the bundle in its workspace.
        assertTrue(text.matches("(?s).*Image: custom-worker-[0-9a-f]{12} " + java.util.regex.Pattern.quote(registry.host())
                + "/custom-worker@sha256:[0-9a-f]{64}\n.*"), text);
        assertTrue(text.contains("Worker: "), text);
        assertTrue(text.contains("Tool result: " + TeamScenario.GREETING), text);
        assertFalse(text.contains("Image packaging skipped"), text);
    }

    @Test
    void teamScenarioWithoutARegistrySaysWhyItSkipsPackagingAndRunsTheRest() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        run(ProcessKubelet.IMAGE, "", (kernel, llm) -> TeamScenario.run(kernel, llm, out), out);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("Deleted " + TeamScenario.TEAM_ID), text);
        assertTrue(text.contains("Image packaging skipped: ") && text.contains("registry_url"), text);
    }
}
