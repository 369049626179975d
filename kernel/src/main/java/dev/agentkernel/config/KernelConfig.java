package dev.agentkernel.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The kernel's YAML config: the seed's keys ({@code backend, namespace, base_image, kubeconfig,
 * registry_url, debug}), ours ({@code state_dir, spawn_timeout_seconds}) and the Kubernetes ones
 * ({@code image_pull_secrets, service_account, node_selector, tolerations, resources, access}).
 * Absent keys are null (or empty collections).
 */
public record KernelConfig(
        String backend,
        String namespace,
        String baseImage,
        Path kubeconfig,
        String registryUrl,
        boolean debug,
        Path stateDir,
        Integer spawnTimeoutSeconds,
        List<String> imagePullSecrets,
        String serviceAccount,
        Map<String, String> nodeSelector,
        List<Map<String, Object>> tolerations,
        Map<String, Object> resources,
        String access) {

    public KernelConfig {
        imagePullSecrets = imagePullSecrets == null ? List.of() : List.copyOf(imagePullSecrets);
        nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
        tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
        resources = resources == null ? Map.of() : Map.copyOf(resources);
    }

    public static KernelConfig empty() {
        return new KernelConfig(null, null, null, null, null, false, null, null, null, null, null, null, null, null);
    }
}
