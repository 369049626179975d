package dev.agentkernel.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The kernel's YAML config: the seed's keys ({@code backend, namespace, base_image, kubeconfig,
 * registry_url, debug}), ours ({@code state_dir, spawn_timeout_seconds}) and the Kubernetes ones
 * ({@code image_pull_secrets, service_account, node_selector, tolerations, resources, access}) and the
 * registry ones for OCI packaging ({@code insecure_registry, registry_username, registry_password}) and the
 * sandbox backend's network ({@code sandbox: {network, allow}}, {@link SandboxSettings}), and the local backend's
 * {@code warm_pool: N} (standby runners a spawn claims instead of starting a JVM; null or 0: none).
 * Absent keys are null (or empty collections). {@link #toString()} never shows the registry password.
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
        String access,
        boolean insecureRegistry,
        String registryUsername,
        String registryPassword,
        SandboxSettings sandbox,
        Integer warmPool) {

    /** The config without {@code warm_pool}. */
    public KernelConfig(String backend, String namespace, String baseImage, Path kubeconfig, String registryUrl, boolean debug,
                        Path stateDir, Integer spawnTimeoutSeconds, List<String> imagePullSecrets, String serviceAccount,
                        Map<String, String> nodeSelector, List<Map<String, Object>> tolerations, Map<String, Object> resources,
                        String access, boolean insecureRegistry, String registryUsername, String registryPassword,
                        SandboxSettings sandbox) {
        this(backend, namespace, baseImage, kubeconfig, registryUrl, debug, stateDir, spawnTimeoutSeconds, imagePullSecrets,
                serviceAccount, nodeSelector, tolerations, resources, access, insecureRegistry, registryUsername, registryPassword,
                sandbox, null);
    }

    public KernelConfig {
        sandbox = sandbox == null ? SandboxSettings.defaults() : sandbox;
        imagePullSecrets = imagePullSecrets == null ? List.of() : List.copyOf(imagePullSecrets);
        nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
        tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
        resources = resources == null ? Map.of() : Map.copyOf(resources);
    }

    /** The config without the registry keys (they default to secure and no credentials). */
    public KernelConfig(String backend, String namespace, String baseImage, Path kubeconfig, String registryUrl, boolean debug,
                        Path stateDir, Integer spawnTimeoutSeconds, List<String> imagePullSecrets, String serviceAccount,
                        Map<String, String> nodeSelector, List<Map<String, Object>> tolerations, Map<String, Object> resources,
                        String access) {
        this(backend, namespace, baseImage, kubeconfig, registryUrl, debug, stateDir, spawnTimeoutSeconds, imagePullSecrets,
                serviceAccount, nodeSelector, tolerations, resources, access, false, null, null, null);
    }

    /** The config without the sandbox key (isolated network, LLM endpoint only). */
    public KernelConfig(String backend, String namespace, String baseImage, Path kubeconfig, String registryUrl, boolean debug,
                        Path stateDir, Integer spawnTimeoutSeconds, List<String> imagePullSecrets, String serviceAccount,
                        Map<String, String> nodeSelector, List<Map<String, Object>> tolerations, Map<String, Object> resources,
                        String access, boolean insecureRegistry, String registryUsername, String registryPassword) {
        this(backend, namespace, baseImage, kubeconfig, registryUrl, debug, stateDir, spawnTimeoutSeconds, imagePullSecrets,
                serviceAccount, nodeSelector, tolerations, resources, access, insecureRegistry, registryUsername, registryPassword, null);
    }

    public static KernelConfig empty() {
        return new KernelConfig(null, null, null, null, null, false, null, null, null, null, null, null, null, null);
    }

    /** The same config with these registry settings (for code that builds a config without YAML). */
    public KernelConfig withRegistry(boolean insecure, String username, String password) {
        return new KernelConfig(backend, namespace, baseImage, kubeconfig, registryUrl, debug, stateDir, spawnTimeoutSeconds,
                imagePullSecrets, serviceAccount, nodeSelector, tolerations, resources, access, insecure, username, password, sandbox,
                warmPool);
    }

    /** The same config with these sandbox settings (the builder's {@code sandbox(...)}). */
    public KernelConfig withSandbox(SandboxSettings settings) {
        return new KernelConfig(backend, namespace, baseImage, kubeconfig, registryUrl, debug, stateDir, spawnTimeoutSeconds,
                imagePullSecrets, serviceAccount, nodeSelector, tolerations, resources, access, insecureRegistry, registryUsername,
                registryPassword, settings, warmPool);
    }

    /** The same config with this warm pool size (the builder's {@code warmPool(n)}). */
    public KernelConfig withWarmPool(Integer size) {
        return new KernelConfig(backend, namespace, baseImage, kubeconfig, registryUrl, debug, stateDir, spawnTimeoutSeconds,
                imagePullSecrets, serviceAccount, nodeSelector, tolerations, resources, access, insecureRegistry, registryUsername,
                registryPassword, sandbox, size);
    }

    @Override
    public String toString() {
        // The password is a credential: logs and exception messages must never carry it.
        return "KernelConfig[backend=" + backend + ", namespace=" + namespace + ", baseImage=" + baseImage + ", kubeconfig=" + kubeconfig
                + ", registryUrl=" + registryUrl + ", debug=" + debug + ", stateDir=" + stateDir + ", spawnTimeoutSeconds=" + spawnTimeoutSeconds
                + ", imagePullSecrets=" + imagePullSecrets + ", serviceAccount=" + serviceAccount + ", nodeSelector=" + nodeSelector
                + ", tolerations=" + tolerations + ", resources=" + resources + ", access=" + access
                + ", insecureRegistry=" + insecureRegistry + ", registryUsername=" + registryUsername
                + ", registryPassword=" + (registryPassword == null ? "null" : "<redacted>") + ", sandbox=" + sandbox + ", warmPool=" + warmPool + "]";
    }
}
