package dev.agentkernel.spawn.k8s;

import dev.agentkernel.ConfigException;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds the fabric8 client from the config's {@code kubeconfig}, or from the usual places when it is absent. */
public final class KubeClients {
    private KubeClients() {}

    /**
     * {@code kubeconfig} null: fabric8's own lookup ($KUBECONFIG, ~/.kube/config, the in-cluster service
     * account). Otherwise that file, which must exist, be readable and name a current context.
     */
    public static KubernetesClient create(Path kubeconfig) {
        return new KubernetesClientBuilder().withHttpClientFactory(HTTP).withConfig(bounded(config(kubeconfig))).build();
    }

    /**
     * The JDK's HTTP client under fabric8, named here rather than left to whichever factory the class path offers.
     * fabric8's default, vert.x 4.5, lost websocket frames that arrived in the same read as the 101 handshake: the
     * API server sends pods/portforward's two port headers right after it, fabric8 counts the first two frames it
     * sees as those headers, and so one port-forwarded connection in ~300 lost the status line of its first
     * response ("Unexpected status line: 3c" in CI). With the JDK client: 0 of 5000 (PortForwardTest, 2026-12-06).
     */
    private static final JdkHttpClientFactory HTTP = new JdkHttpClientFactory();

    /** How long one TCP connect to the API server may take (fabric8's default: 10 s). */
    static final int CONNECT_TIMEOUT_MS = 2_000;
    /** Retries of a failed request, 500 ms apart (fabric8's default: 10, backing off from 100 ms). */
    static final int RETRIES = 1;
    static final int RETRY_INTERVAL_MS = 500;

    /**
     * An unreachable API server is reported within 5 s: at most two connects of 2 s and one 500 ms pause.
     * fabric8's defaults (10 retries with exponential backoff after a 10 s connect) took 19 s against a
     * closed port, and longer against an address that drops packets.
     */
    static Config bounded(Config config) {
        config.setConnectionTimeout(CONNECT_TIMEOUT_MS);
        config.setRequestRetryBackoffLimit(RETRIES);
        config.setRequestRetryBackoffInterval(RETRY_INTERVAL_MS);
        return config;
    }

    static Config config(Path kubeconfig) {
        if (kubeconfig == null) return Config.autoConfigure(null);
        Path path = expandHome(kubeconfig);
        if (!Files.exists(path)) {
            throw new ConfigException("config key 'kubeconfig' points at " + path + ", which does not exist; write one"
                    + " (kind get kubeconfig > " + path + ", or minikube's ~/.kube/config) or remove the key to use $KUBECONFIG,"
                    + " ~/.kube/config or the in-cluster service account");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new ConfigException("config key 'kubeconfig' points at " + path + ", which is not a readable file;"
                    + " fix its permissions or point the key at the kubeconfig file itself");
        }
        String text;
        try {
            text = Files.readString(path);
        } catch (IOException e) {
            throw new ConfigException("cannot read the kubeconfig " + path + " (config key 'kubeconfig'): " + e.getMessage(), e);
        }
        Config config;
        try {
            config = Config.fromKubeconfig(null, text, path.toString());
        } catch (RuntimeException e) {
            throw new ConfigException("the kubeconfig " + path + " (config key 'kubeconfig') cannot be parsed: " + e.getMessage()
                    + "; it must be a kubeconfig YAML with clusters, users, contexts and current-context", e);
        }
        if (config.getCurrentContext() == null || config.getMasterUrl() == null) {
            throw new ConfigException("the kubeconfig " + path + " (config key 'kubeconfig') names no current context with a cluster;"
                    + " it must be a kubeconfig YAML with clusters, users, contexts and current-context (kubectl config use-context NAME)");
        }
        return config;
    }

    static Path expandHome(Path p) {
        String s = p.toString();
        if (s.equals("~") || s.startsWith("~/")) return Path.of(System.getProperty("user.home") + s.substring(1));
        return p;
    }
}
