package dev.agentkernel.spawn.k8s;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.AgentKernelException;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.spawn.NonceVault;
import dev.agentkernel.spawn.PluginRegistry;
import dev.agentkernel.spawn.k8s.testing.TestCluster;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 13.3: an API server nobody answers for (a closed port) is reported as unreachable, naming its URL and
 * what to check, with code 0 (not fabric8's -1), at kernel start and at spawn, after a bounded connect and one
 * retry (fabric8's defaults took 19 s).
 */
class UnreachableApiServerTest {

    static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static KubernetesApiException apiError(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KubernetesApiException k) return k;
        }
        fail("no KubernetesApiException in " + t, t);
        return null;
    }

    static void assertUnreachable(KubernetesApiException e, String url) {
        assertEquals(0, e.code(), e.getMessage());
        assertTrue(e.getMessage().startsWith("cannot reach the Kubernetes API server at " + url), e.getMessage());
        assertTrue(e.getMessage().contains("check the kubeconfig's server and your network"), e.getMessage());
        assertFalse(e.getMessage().contains("HTTP -1"), e.getMessage());
    }

    @Test
    void kernelStartAgainstAClosedPortSaysItCannotReachTheServer(@TempDir Path dir) throws Exception {
        String url = "http://127.0.0.1:" + closedPort();
        Path kubeconfig = dev.agentkernel.spawn.k8s.testing.TestCluster.writeKubeconfig(dir.resolve("kubeconfig"), url, "agentkernel-0");
        Path yaml = Files.writeString(dir.resolve("agentkernel.yaml"), "backend: kubernetes\nbase_image: " + "agentkernel/runner:test"
                + "\nkubeconfig: " + kubeconfig + "\nstate_dir: " + dir.resolve("state") + "\n");
        long t0 = System.nanoTime();
        AgentKernelException e = assertThrows(AgentKernelException.class,
                () -> AgentKernel.builder().config(yaml).plugins(new OpenClawPlugin()).build().close());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertUnreachable(apiError(e), url);
        // The bound, not a timing assertion: two connects of at most 2 s and one 500 ms pause.
        Config bounded = KubeClients.bounded(KubeClients.config(kubeconfig));
        assertEquals(2_000, bounded.getConnectionTimeout());
        assertEquals(1, bounded.getRequestRetryBackoffLimit());
        assertTrue(ms < 15_000, "fabric8's defaults took 19 s: " + ms + " ms");
        System.out.println("BENCH unreachable API server (closed port) reported at kernel start in " + ms + " ms");
    }

    @Test
    void spawnAfterTheServerWentAwaySaysItCannotReachTheServer() {
        TestCluster cluster = TestCluster.start();
        String url = cluster.url();
        KubernetesClient client = KubeClients.create(cluster.kubeconfig());
        KubernetesBackend backend = new KubernetesBackend(KubernetesBackendTest.settings(false, Access.DIRECT), client, true,
                new PluginRegistry(List.of(new OpenClawPlugin())), new NonceVault());
        try {
            cluster.close();
            long t0 = System.nanoTime();
            CompletionException e = assertThrows(CompletionException.class, () -> backend.spawn(KubernetesBackendTest.request("late").build()).join());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertUnreachable(apiError(e), url);
            assertTrue(ms < 15_000, "fabric8's defaults took 19 s: " + ms + " ms");
            System.out.println("BENCH unreachable API server reported at spawn in " + ms + " ms");
        } finally {
            backend.close();
        }
    }
}
