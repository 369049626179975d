package dev.agentkernel.spawn.k8s.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the test cluster as a process, for trying the scripts without Kubernetes:
 * {@code TestClusterMain DIR} writes {@code DIR/agentkernel.yaml} (backend kubernetes, pointing at the cluster)
 * and serves until stdin closes or the process is terminated.
 */
public final class TestClusterMain {
    private TestClusterMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: TestClusterMain DIR   (writes DIR/agentkernel.yaml, serves until stdin closes)");
            System.exit(2);
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        TestCluster cluster = TestCluster.start();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            done.countDown();
        }));
        Path kubeconfig = Files.copy(cluster.kubeconfig(), dir.resolve("kubeconfig"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path yaml = dir.resolve("agentkernel.yaml");
        Files.writeString(yaml, """
                backend: kubernetes
                namespace: %s
                base_image: %s
                kubeconfig: %s
                access: port-forward
                spawn_timeout_seconds: 60
                """.formatted(TestCluster.NAMESPACE, ProcessKubelet.IMAGE, kubeconfig));
        System.out.println("test cluster at " + cluster.url() + "; config " + yaml);
        System.out.flush();
        while (System.in.read() >= 0) {
            // Serve until the parent closes our stdin.
        }
        System.exit(0);
    }
}
