package dev.agentkernel.spawn.k8s.testing;

import dev.agentkernel.spawn.k8s.KubeClients;
import dev.agentkernel.spawn.k8s.Labels;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * A Kubernetes cluster for tests: the fabric8 mock API server in CRUD mode (real REST and watch semantics),
 * extended by {@link ClusterDispatcher}, with a {@link ProcessKubelet} running pods as local processes.
 * Writes a kubeconfig that points at it, so the kernel is configured exactly as for a real cluster.
 */
public final class TestCluster implements AutoCloseable {
    public static final String NAMESPACE = "agentkernel-0";
    static final String KUBELET_AGENT = "process-kubelet";

    private final KubernetesMockServer server;
    private final ClusterDispatcher dispatcher;
    private final KubernetesClient admin;
    private final ProcessKubelet kubelet;
    private final TestCa ca;
    private final PodApiServer podApi;
    public static final String ROOT_CA_CONFIGMAP = "kube-root-ca.crt";
    /**
     * Projected tokens are rewritten this often here and refused after ten rewrites, so a runner that kept the
     * token it started with is refused about 10 s after it started. (Expiring tokens by the clock instead gave
     * 401s to well-behaved runners on this loaded 2-core box, where a rewrite can run late.)
     */
    static final java.time.Duration TOKEN_TTL = java.time.Duration.ofSeconds(1);
    private final Path dir;
    private final Path kubeconfig;

    private TestCluster(long nodeMilliCpu) throws IOException {
        dir = Files.createTempDirectory("agentkernel-k8s-test");
        AtomicReference<ProcessKubelet> kubeletRef = new AtomicReference<>();
        dispatcher = new ClusterDispatcher(pod -> kubeletRef.get() == null ? java.util.Optional.empty() : kubeletRef.get().podIp(pod));
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        String url = "http://127.0.0.1:" + server.getPort();
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url).withNamespace(NAMESPACE).withUserAgent(KUBELET_AGENT)
                .withTrustCerts(true).build();
        // The doubles (kubelet, garbage collector, pod API) keep the vert.x client they were measured with: on the
        // JDK client the process kubelet started pods later, and the benchmark's spawn->ready rows grew by ~600 ms
        // (1 agent: 1486 -> 2132-2261 ms) with the kernel's own client unchanged in speed (2026-12-06).
        admin = new KubernetesClientBuilder().withHttpClientFactory(new VertxHttpClientFactory()).withConfig(config).build();
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
        kubeconfig = writeKubeconfig(dir.resolve("kubeconfig"), url, NAMESPACE);
        boolean shim = !RunnerSupport.readsNonceFromEnv(runnerJar());
        if (shim) {
            System.err.println("TestCluster: the runner at " + runnerJar() + " does not read AGENTKERNEL_NONCE from its environment yet;"
                    + " the process kubelet copies it from the pod's env into the runner config it writes (compatibility shim)");
        }
        // What every namespace of a real cluster has: the cluster CA, published by kube-controller-manager.
        ca = new TestCa();
        admin.configMaps().inNamespace(NAMESPACE).resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata().withName(ROOT_CA_CONFIGMAP).endMetadata().addToData("ca.crt", ca.caPem()).build()).create();
        podApi = new PodApiServer(ca, admin, java.net.URI.create(url + "/"), NAMESPACE);
        kubelet = new ProcessKubelet(admin, NAMESPACE, Files.createDirectories(dir.resolve("pods")), runnerJar(), nodeMilliCpu, shim,
                podApi, TOKEN_TTL);
        kubeletRef.set(kubelet);
    }

    /** A cluster with one node of 64 cpu. */
    public static TestCluster start() { return start(64_000); }

    public static TestCluster start(long nodeMilliCpu) {
        try {
            return new TestCluster(nodeMilliCpu);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static Path runnerJar() {
        String p = System.getProperty("agentkernel.runner.jar", "../runner/target/agentkernel-runner.jar");
        Path jar = Path.of(p).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) throw new IllegalStateException("runner jar " + jar + " is missing; build it: mvn -pl runner install");
        return jar;
    }

    public Path kubeconfig() { return kubeconfig; }

    public String url() { return "http://127.0.0.1:" + server.getPort(); }

    /** A client with cluster-admin rights, for assertions and for faults injected from outside the kernel. */
    /** A kubeconfig whose one context reaches {@code server} with a bearer token, in {@code namespace}; returns {@code file}. */
    public static Path writeKubeconfig(Path file, String server, String namespace) throws IOException {
        return Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: test
                  cluster:
                    server: %s
                users:
                - name: kernel
                  user:
                    token: test-token
                contexts:
                - name: test
                  context:
                    cluster: test
                    user: kernel
                    namespace: %s
                current-context: test
                """.formatted(server, namespace));
    }

    public KubernetesClient admin() { return admin; }

    /** A new client as the kernel would build it (not counted as kubelet traffic). */
    public KubernetesClient kernelClient() { return KubeClients.create(kubeconfig); }

    public ProcessKubelet kubelet() { return kubelet; }

    /** Answer {@code method} on paths matching {@code pathRegex} with 403 Forbidden, naming verb and resource. */
    public void forbid(String method, String pathRegex, String verb, String resource) {
        dispatcher.forbid(method, pathRegex, verb, resource);
    }

    public void allowAll() { dispatcher.allowAll(); }

    /** How many different projected tokens the pod authenticated with at the pods' API endpoint. */
    public int tokensUsedBy(String pod) { return podApi.tokensUsed(pod); }

    /** Status codes the pods' API endpoint answered, with method and path (401 bad token, 403 RBAC, else upstream). */
    public List<String> podApiDecisions() {
        return podApi.decisions().stream().map(d -> d.code() + " " + d.method() + " " + d.path()).toList();
    }

    /** API calls made by clients other than the kubelet and the admin client, as "METHOD path". */
    public List<String> kernelCalls() {
        List<String> out = new ArrayList<>();
        for (ClusterDispatcher.Call c : dispatcher.calls()) {
            if (c.userAgent() == null || !c.userAgent().contains(KUBELET_AGENT)) out.add(c.method() + " " + c.path());
        }
        return out;
    }

    public void clearCalls() { dispatcher.clearCalls(); }

    /** API calls whose User-Agent contains {@code agent} (fabric8: "fabric8-kubernetes-client", the runner: "Java-http-client"). */
    public List<String> callsFrom(String agent) {
        List<String> out = new ArrayList<>();
        for (ClusterDispatcher.Call c : dispatcher.calls()) {
            if (c.userAgent() != null && c.userAgent().contains(agent)) out.add(c.method() + " " + c.path());
        }
        return out;
    }

    /** Every object in the namespace that a kernel or the kubelet made: pods, configmaps, secrets, events, leases. */
    public List<String> leftovers() {
        List<String> out = new ArrayList<>();
        admin.pods().inNamespace(NAMESPACE).list().getItems().forEach(p -> out.add("pod/" + p.getMetadata().getName()));
        admin.configMaps().inNamespace(NAMESPACE).list().getItems().stream().filter(p -> !ROOT_CA_CONFIGMAP.equals(p.getMetadata().getName()))
                .forEach(p -> out.add("configmap/" + p.getMetadata().getName()));
        admin.secrets().inNamespace(NAMESPACE).list().getItems().forEach(p -> out.add("secret/" + p.getMetadata().getName()));
        admin.v1().events().inNamespace(NAMESPACE).list().getItems().forEach(p -> out.add("event/" + p.getMetadata().getName()));
        admin.leases().inNamespace(NAMESPACE).withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).list().getItems()
                .forEach(p -> out.add("lease/" + p.getMetadata().getName()));
        admin.serviceAccounts().inNamespace(NAMESPACE).withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).list().getItems()
                .forEach(p -> out.add("serviceaccount/" + p.getMetadata().getName()));
        admin.rbac().roles().inNamespace(NAMESPACE).withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).list().getItems()
                .forEach(p -> out.add("role/" + p.getMetadata().getName()));
        admin.rbac().roleBindings().inNamespace(NAMESPACE).withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).list().getItems()
                .forEach(p -> out.add("rolebinding/" + p.getMetadata().getName()));
        admin.network().v1().networkPolicies().inNamespace(NAMESPACE).withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).list().getItems()
                .forEach(p -> out.add("networkpolicy/" + p.getMetadata().getName()));
        return out;
    }

    @Override
    public void close() {
        try {
            kubelet.close();
            podApi.close();
        } finally {
            admin.close();
            server.destroy();
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // Temp dir; best effort.
            }
        }
    }
}
