package dev.agentkernel.spawn.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretList;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountList;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseList;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyList;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingList;
import io.fabric8.kubernetes.api.model.rbac.RoleList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.ServiceAccountResource;
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

    // The kernel's namespace, once: every object the kernel makes or reads lives there (issue 16.3).

    public NonNamespaceOperation<Pod, PodList, PodResource> pods() { return client.pods().inNamespace(namespace); }

    public NonNamespaceOperation<ConfigMap, ConfigMapList, Resource<ConfigMap>> configMaps() {
        return client.configMaps().inNamespace(namespace);
    }

    public NonNamespaceOperation<Secret, SecretList, Resource<Secret>> secrets() { return client.secrets().inNamespace(namespace); }

    public NonNamespaceOperation<Lease, LeaseList, Resource<Lease>> leases() { return client.leases().inNamespace(namespace); }

    public NonNamespaceOperation<ServiceAccount, ServiceAccountList, ServiceAccountResource> serviceAccounts() {
        return client.serviceAccounts().inNamespace(namespace);
    }

    public NonNamespaceOperation<Role, RoleList, Resource<Role>> roles() { return client.rbac().roles().inNamespace(namespace); }

    public NonNamespaceOperation<RoleBinding, RoleBindingList, Resource<RoleBinding>> roleBindings() {
        return client.rbac().roleBindings().inNamespace(namespace);
    }

    public NonNamespaceOperation<NetworkPolicy, NetworkPolicyList, Resource<NetworkPolicy>> networkPolicies() {
        return client.network().v1().networkPolicies().inNamespace(namespace);
    }

    public NonNamespaceOperation<Event, EventList, Resource<Event>> events() { return client.v1().events().inNamespace(namespace); }

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
