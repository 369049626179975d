package dev.agentkernel.spawn.k8s;

import dev.agentkernel.AgentKernelException;

/**
 * A call to the Kubernetes API failed. Carries the verb and resource (as in RBAC rules) so a 403 can be
 * fixed by granting exactly that.
 */
public class KubernetesApiException extends AgentKernelException {
    private final String verb;
    private final String resource;
    private final int code;

    public KubernetesApiException(String message, String verb, String resource, int code, Throwable cause) {
        super(message, cause);
        this.verb = verb;
        this.resource = resource;
        this.code = code;
    }

    /** The RBAC verb: get, list, watch, create, patch, delete. */
    public String verb() { return verb; }

    /** The RBAC resource: pods, configmaps, secrets, events, pods/portforward, namespaces. */
    public String resource() { return resource; }

    /** The HTTP status, or 0 when the API server could not be reached. */
    public int code() { return code; }
}
