package dev.agentkernel.spawn.k8s;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.examples.LlmSetup;
import dev.agentkernel.examples.SimpleAgent;
import dev.agentkernel.examples.TeamScenario;
import dev.agentkernel.spawn.k8s.testing.ProcessKubelet;
import dev.agentkernel.spawn.k8s.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.*;

/** The seed's examples, unchanged, on the Kubernetes backend of the test cluster, configured by YAML as a user would. */
class ExamplesOnKubernetesTest {
    static TestCluster cluster;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() { cluster = TestCluster.start(); }

    @AfterAll
    static void stop() { cluster.close(); }

    String run(BiConsumer<AgentKernel, LlmSetup> example, PrintStream out) throws Exception {
        Path yaml = Files.writeString(dir.resolve("agentkernel.yaml"), """
                backend: kubernetes
                namespace: %s
                base_image: %s
                kubeconfig: %s
                access: port-forward
                state_dir: %s
                """.formatted(TestCluster.NAMESPACE, ProcessKubelet.IMAGE, cluster.kubeconfig(), dir.resolve("state")));
        try (LlmSetup llm = LlmSetup.offline(out); AgentKernel kernel = AgentKernel.fromConfig(yaml, new OpenClawPlugin())) {
            assertEquals("kubernetes", kernel.backend());
            example.accept(kernel, llm);
        }
        KubernetesBackendTest.waitFor(() -> cluster.leftovers().isEmpty(), "nothing left: " + cluster.leftovers());
        return null;
    }

    @Test
    void simpleAgent() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        run((kernel, llm) -> SimpleAgent.run(kernel, llm, out), out);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("Echo:") || text.contains("Tool result"), text);
        assertFalse(text.contains("Exception"), text);
    }

    @Test
    void teamScenario() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        run((kernel, llm) -> TeamScenario.run(kernel, llm, out), out);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains(TeamScenario.TEAM_ID), text);
        assertTrue(text.toLowerCase().contains("full"), "the third agent is refused for capacity: " + text);
    }
}
