package dev.agentkernel.spawn.k8s;

import dev.agentkernel.ConfigException;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.config.KernelConfig;
import dev.agentkernel.team.Resources;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a {@link KubernetesBackend} needs from the kernel config, validated once so a bad key fails when the
 * kernel is built, not at the first spawn.
 *
 * @param defaultResources what an agent asks for when its SpawnRequest names no cpu/memory (config key
 *                         {@code resources}); {@code null} entries fall back to {@link Resources#forAgent}
 */
public record KubernetesSettings(
        String namespace,
        String baseImage,
        String registryUrl,
        boolean debug,
        Access access,
        List<String> imagePullSecrets,
        String serviceAccount,
        Map<String, String> nodeSelector,
        List<Map<String, Object>> tolerations,
        Map<String, Object> defaultResources,
        Map<String, String> hostEnv,
        Duration spawnTimeout,
        dev.agentkernel.config.SandboxSettings network) {

    /** The runner's port inside the pod; every pod has its own IP, so one fixed port is enough. */
    public static final int CONTAINER_PORT = 8080;
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    /** Without the config's {@code sandbox} block: isolated (a NetworkPolicy per agent), nothing allowed beyond the defaults. */
    public KubernetesSettings(String namespace, String baseImage, String registryUrl, boolean debug, Access access,
                              List<String> imagePullSecrets, String serviceAccount, Map<String, String> nodeSelector,
                              List<Map<String, Object>> tolerations, Map<String, Object> defaultResources,
                              Map<String, String> hostEnv, Duration spawnTimeout) {
        this(namespace, baseImage, registryUrl, debug, access, imagePullSecrets, serviceAccount, nodeSelector, tolerations,
                defaultResources, hostEnv, spawnTimeout, null);
    }

    public KubernetesSettings {
        if (namespace == null || !DNS_LABEL.matcher(namespace).matches()) {
            throw new ConfigException("config key 'namespace' = '" + namespace + "' is not a Kubernetes namespace name;"
                    + " use 1-63 lower-case letters, digits and '-' (e.g. agentkernel-0)");
        }
        imagePullSecrets = imagePullSecrets == null ? List.of() : List.copyOf(imagePullSecrets);
        nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
        tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
        defaultResources = defaultResources == null ? Map.of() : Map.copyOf(defaultResources);
        hostEnv = hostEnv == null ? Map.of() : Map.copyOf(hostEnv);
        if (spawnTimeout == null || spawnTimeout.isNegative() || spawnTimeout.isZero()) {
            throw new ConfigException("spawnTimeout must be positive, got " + spawnTimeout);
        }
        network = network == null ? dev.agentkernel.config.SandboxSettings.defaults() : network;
        try {
            Resources.forAgent(PodLimits.withoutPodKeys(defaultResources));
            for (String entry : network.allow()) AgentNetworkPolicy.resolve(entry, "config key 'sandbox.allow'");
        } catch (InvalidRequestException e) {
            throw new ConfigException("config key 'resources' is invalid: " + e.getMessage(), e);
        }
    }

    /**
     * From the YAML config. {@code fallbackNamespace} (the kubeconfig context's namespace) is used when the
     * config names none; then {@code default}.
     */
    public static KubernetesSettings from(KernelConfig config, String fallbackNamespace, Map<String, String> hostEnv, Duration spawnTimeout) {
        String ns = config.namespace() != null ? config.namespace()
                : fallbackNamespace != null && !fallbackNamespace.isBlank() ? fallbackNamespace : "default";
        return new KubernetesSettings(ns, blankToNull(config.baseImage()), blankToNull(config.registryUrl()), config.debug(),
                Access.parse(config.access()), config.imagePullSecrets(), blankToNull(config.serviceAccount()),
                config.nodeSelector(), config.tolerations(), config.resources(), hostEnv, spawnTimeout, config.sandbox());
    }

    /**
     * The image a pod runs: an {@code imageId} that is an image reference (has a '/', ':' or '@') as is, a bare
     * name under {@code registry_url}, and without an image id the config's {@code base_image}.
     */
    public String imageFor(String imageId) {
        if (imageId == null || imageId.isBlank()) {
            if (baseImage == null) {
                throw new ConfigException("no image for the agent's pod: set 'base_image' in the kernel config (e.g."
                        + " base_image: agentkernel/runner:0.1.0, built by scripts/build_base_image.sh) or spawn with imageId(...)");
            }
            return baseImage;
        }
        String id = imageId.trim();
        if (id.contains("/") || id.contains(":") || id.contains("@")) return id;
        if (registryUrl == null) {
            throw new InvalidRequestException("image_id '" + id + "' is a bare name and the kernel config has no 'registry_url' to"
                    + " look it up in; pass a full image reference (registry.example.com/team/" + id + ":tag) or set registry_url");
        }
        return registryUrl.replaceAll("/+$", "") + "/" + id;
    }

    /** hostEnv may hold API keys: only its variable names are shown. */
    @Override
    public String toString() {
        return "KubernetesSettings[namespace=" + namespace + ", baseImage=" + baseImage + ", registryUrl=" + registryUrl
                + ", debug=" + debug + ", access=" + access.key() + ", serviceAccount=" + serviceAccount
                + ", defaultResources=" + defaultResources + ", hostEnv=" + hostEnv.keySet() + ", spawnTimeout=" + spawnTimeout + "]";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
