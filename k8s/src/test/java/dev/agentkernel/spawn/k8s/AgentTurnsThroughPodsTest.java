package dev.agentkernel.spawn.k8s;

import dev.agentkernel.AgentKernelException;
import dev.agentkernel.HistoryEntry;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.client.HttpAgentClient;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.fakellm.junit.FakeLlm;
import dev.agentkernel.spawn.NonceVault;
import dev.agentkernel.spawn.PluginRegistry;
import dev.agentkernel.spawn.k8s.testing.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Turns through the kernel's own HTTP agent client, to runners in pods of the test cluster, reached both
 * directly (pod IP) and through a port-forward via the API server; the LLM is the scripted fake.
 */
class AgentTurnsThroughPodsTest {
    static TestCluster cluster;
    @FakeLlm
    static FakeLlmServer llm;

    @BeforeAll
    static void start() {
        cluster = TestCluster.start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @ParameterizedTest
    @EnumSource(Access.class)
    void askHistoryAndPodDeletedBehindTheKernelsBack(Access access) {
        NonceVault vault = new NonceVault();
        try (KubernetesClient client = cluster.kernelClient()) {
            KubernetesBackend backend = new KubernetesBackend(KubernetesBackendTest.settings(false, access), client, false,
                    new PluginRegistry(List.of(new OpenClawPlugin())), vault);
            try (HttpAgentClient agents = new HttpAgentClient(backend, vault)) {
                SpawnResult r = backend.spawn(SpawnRequest.builder().name("talker")
                        .spawnInfo(OpenClawSpawnInfo.builder().baseUrl(llm.anthropicBaseUrl()).apiKey("test-key").build())
                        .env("USER_VISIBLE", "passed-by-the-user").build()).join();
                String id = r.agent().id();
                if (access == Access.PORT_FORWARD) {
                    assertEquals("127.0.0.1", backend.endpoint(id).baseUri().getHost(), "reached through a local forward");
                } else {
                    assertTrue(backend.endpoint(id).baseUri().getHost().startsWith("127.0.0."), "reached at the pod IP");
                    assertNotEquals("127.0.0.1", backend.endpoint(id).baseUri().getHost());
                }
                assertEquals("Echo: hello from " + access, agents.ask(id, r.nonce(), "hello from " + access));
                assertEquals("the pod speaks", agents.ask(id, r.nonce(), "[[reply: the pod speaks]]"));
                List<HistoryEntry> history = agents.getHistory(id, 0).join();
                assertEquals(4, history.size(), history.toString());
                // The fake LLM saw the key that travelled through the Secret.
                assertTrue(llm.requests().stream().anyMatch(q -> "test-key".equals(q.header("x-api-key"))),
                        "the fake LLM saw the API key that travelled through the Secret");

                // the pod's Secret gives the runner its key and nonce as variables; its bash tool must not inherit them
                String reply = agents.ask(id, r.nonce(), "[[bash: env | grep -E 'KEY|NONCE|USER_VISIBLE' | sort]]");
                assertTrue(reply.contains("Tool result: "), reply);
                String env = reply.substring(reply.indexOf("Tool result: ")); // the model's text before it quotes the command
                assertTrue(env.contains("USER_VISIBLE=passed-by-the-user"), "the user's variable reaches the tool: " + env);
                assertFalse(env.contains("test-key") || env.contains("LLM_API_KEY") || env.contains("AGENTKERNEL_NONCE")
                        || env.contains(r.nonce()), "the tool sees a secret of the runner: " + env);

                String pod = backend.podName(id).orElseThrow();
                cluster.admin().pods().inNamespace(TestCluster.NAMESPACE).withName(pod).delete();
                KubernetesBackendTest.waitFor(() -> !backend.endpoint(id).isAlive(), "the kernel sees the pod gone");
                AgentKernelException e = assertThrows(AgentKernelException.class, () -> agents.ask(id, r.nonce(), "are you there?"));
                assertTrue(e.getMessage().contains("talker"), e.getMessage());
                assertEquals("Deleted", backend.status().join().getFirst().podPhase());
            } finally {
                backend.cleanup().join();
                backend.close();
            }
        }
        KubernetesBackendTest.waitFor(() -> cluster.leftovers().isEmpty(), "nothing left: " + cluster.leftovers());
    }
}
