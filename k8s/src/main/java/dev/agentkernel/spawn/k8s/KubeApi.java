package dev.agentkernel.spawn.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.function.Supplier;

/**
 * Runs one Kubernetes API call and turns the client's exception into a {@link KubernetesApiException} whose
 * message says which verb on which resource failed and what to do about it.
 */
public final class KubeApi {
    static final String RBAC_DOC = "docs/kubernetes.md (section RBAC)";

    private final KubernetesClient client;
    private final String namespace;

    public KubeApi(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    public KubernetesClient client() { return client; }

    public String namespace() { return namespace; }

    public <T> T call(String verb, String resource, Supplier<T> op) {
        try {
            return op.get();
        } catch (KubernetesClientException e) {
            throw translate(verb, resource, e);
        }
    }

    public void run(String verb, String resource, Runnable op) {
        call(verb, resource, () -> {
            op.run();
            return null;
        });
    }

    KubernetesApiException translate(String verb, String resource, KubernetesClientException e) {
        int code = e.getCode();
        String detail = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : rootMessage(e);
        String where = "in namespace '" + namespace + "' of " + client.getMasterUrl();
        String message = switch (code) {
            case 403 -> "the Kubernetes API refused to " + verb + " " + resource + " " + where + " (403 Forbidden: " + detail
                    + "); grant the kernel's user or service account the verb '" + verb + "' on resource '" + resource
                    + "' in a Role bound in that namespace, see " + RBAC_DOC;
            case 401 -> "the Kubernetes API did not accept the kernel's credentials when trying to " + verb + " " + resource
                    + " (401 Unauthorized: " + detail + "); refresh the kubeconfig's token or certificate";
            case 404 -> isNamespaceMissing(e)
                    ? "namespace '" + namespace + "' does not exist in the cluster at " + client.getMasterUrl()
                    + "; create it (kubectl create namespace " + namespace + ") or set 'namespace' in the kernel config"
                    : "cannot " + verb + " " + resource + " " + where + ": not found (" + detail + ")";
            default -> code <= 0 ? unreachable(client.getMasterUrl().toString(), verb, resource, detail)
                    : "cannot " + verb + " " + resource + " " + where + ": HTTP " + code + " " + detail;
        };
        // fabric8 says -1 when no HTTP answer came; ours is 0 for that (KubernetesApiException#code).
        return new KubernetesApiException(message, verb, resource, Math.max(0, code), e);
    }

    static String unreachable(String url, String verb, String resource, String detail) {
        return "cannot reach the Kubernetes API server at " + url + ": " + detail + " (while trying to " + verb + " " + resource
                + "); check the kubeconfig's server and your network";
    }

    private static boolean isNamespaceMissing(KubernetesClientException e) {
        var status = e.getStatus();
        return status != null && status.getDetails() != null && "namespaces".equals(status.getDetails().getKind());
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
