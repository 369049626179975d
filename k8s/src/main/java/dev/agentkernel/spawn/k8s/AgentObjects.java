package dev.agentkernel.spawn.k8s;

import dev.agentkernel.protocol.RunnerConfig;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.agentkernel.Agent;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.team.Resources;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The three objects of one agent: a ConfigMap with the runner config (no secret in it), a Secret with the
 * nonce and API keys (passed to the runner as environment variables), and the Pod.
 */
public final class AgentObjects {
    public static final String CONTAINER = "runner";
    public static final String CONFIG_KEY = "config.json";
    public static final String CONFIG_DIR = "/etc/agentkernel";
    public static final String CONFIG_PATH = CONFIG_DIR + "/" + CONFIG_KEY;
    public static final String WORKSPACE = "/workspace";
    /**
     * The runner's history and AgentBus log: its own emptyDir, mounted in the runner container only, so the tools
     * container (which runs every command the model asks for) can neither read nor rewrite them (issue 12.2).
     */
    public static final String STATE_DIR = "/var/lib/agentkernel";
    /** The container that runs the agent's tool commands: the workspace, none of the runner's state or secrets. */
    public static final String TOOLS_CONTAINER = "tools";
    public static final String TOOLS_MAIN = "dev.agentkernel.runner.tools.ToolServer";
    /** The emptyDir with the runner's tool socket: read-write for the runner, read-only for the tools container. */
    public static final String TOOL_SOCKET_DIR = "/run/agentkernel";
    public static final String TOOL_SOCKET = TOOL_SOCKET_DIR + "/tools.sock";
    /** The runner's {@code ToolChannel.ENV} (module runner): where it listens for the tools container. */
    public static final String TOOL_SOCKET_ENV = "AGENTKERNEL_TOOL_SOCKET";
    /** Where scripts/build_base_image.sh puts the runner jar (its lib/ directory sits next to it). */
    public static final String RUNNER_JAR = "/opt/agentkernel/agentkernel-runner.jar";
    public static final String RUNNER_MAIN = "dev.agentkernel.runner.RunnerMain";
    /** Where an OCI agent image (module oci) holds its bundles, one directory per bundle label name. */
    public static final String BUNDLES_DIR = "/opt/agentkernel/bundles";
    /** The workspace path the bundles appear at, as on the local backend. */
    public static final String WORKSPACE_BUNDLES = WORKSPACE + "/bundles";
    /** The init container that links {@link #WORKSPACE_BUNDLES} to {@link #BUNDLES_DIR}. */
    public static final String BUNDLES_INIT_CONTAINER = "link-bundles";
    public static final String API_KEY_ENV = "LLM_API_KEY";
    public static final String OPENAI_KEY_ENV = "OPENAI_API_KEY";
    /** Non-root uid/gid of the base image's runner user. */
    public static final long RUNNER_UID = 10001;

    private AgentObjects() {}

    /** The labels every object of the agent carries. */
    public static Map<String, String> labels(Agent agent, String kernelId) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
        labels.put(Labels.AGENT_ID, agent.id());
        labels.put(Labels.TEAM, Labels.labelValue(agent.teamId()));
        labels.put(Labels.KERNEL, kernelId);
        if (agent.detached()) labels.put(Labels.DETACHED, "true");
        return labels;
    }

    static Map<String, String> annotations(Agent agent) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put(Labels.ANNOTATION_NAME, agent.name());
        a.put(Labels.ANNOTATION_TEAM, agent.teamId());
        a.put(Labels.ANNOTATION_TYPE, agent.agentType());
        a.put(Labels.ANNOTATION_CREATED, agent.createdAt().toString());
        if (agent.imageId() != null) a.put(Labels.ANNOTATION_IMAGE_ID, agent.imageId());
        try {
            a.put(Labels.ANNOTATION_METADATA, Protocol.json().writeValueAsString(agent.metadata()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serialises", e);
        }
        agent.metadata().forEach((k, v) -> {
            if (Labels.isAnnotationName(k)) a.put(Labels.METADATA_PREFIX + k, v);
        });
        return a;
    }

    private static ObjectMeta meta(String name, Agent agent, String kernelId) {
        return new ObjectMetaBuilder().withName(name).withLabels(labels(agent, kernelId)).withAnnotations(annotations(agent)).build();
    }

    public static ConfigMap configMap(String podName, Agent agent, String kernelId, String configJson) {
        return new ConfigMapBuilder().withMetadata(meta(PodNames.configMap(podName), agent, kernelId))
                .addToData(CONFIG_KEY, configJson).build();
    }

    public static Secret secret(String podName, Agent agent, String kernelId, Map<String, String> env) {
        return new SecretBuilder().withMetadata(meta(PodNames.secret(podName), agent, kernelId))
                .withType("Opaque").withImmutable(true).withStringData(env).build();
    }

    /** The owner reference that lets the garbage collector delete the ConfigMap and Secret with the pod. */
    public static OwnerReference ownedBy(Pod pod) {
        return new OwnerReferenceBuilder().withApiVersion("v1").withKind("Pod")
                .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid())
                .withBlockOwnerDeletion(false).withController(false).build();
    }

    public static Pod pod(String podName, Agent agent, String kernelId, String image, Resources resources, KubernetesSettings settings) {
        return pod(podName, agent, kernelId, image, resources, settings, false);
    }

    /**
     * @param linkBundles the image has bundles: an init container from the same image runs
     *                    {@code ln -sfn /opt/agentkernel/bundles /workspace/bundles}, so the agent's tools find
     *                    {@code bundles/<name>/} in the workspace as on the local backend, without copying
     *                    (the link points into the runner container's own, read-only, image file system)
     */
    public static Pod pod(String podName, Agent agent, String kernelId, String image, Resources resources, KubernetesSettings settings,
                          boolean linkBundles) {
        return pod(podName, agent, kernelId, image, resources, PodLimits.take(new LinkedHashMap<>(), resources.memoryBytes()), settings, linkBundles);
    }

    /** @param limits memory, workspace size and ephemeral storage: every pod is bounded (issue 13.5) */
    public static Pod pod(String podName, Agent agent, String kernelId, String image, Resources resources, PodLimits limits,
                          KubernetesSettings settings, boolean linkBundles) {
        Map<String, Quantity> amounts = new LinkedHashMap<>();
        amounts.put("cpu", cpuQuantity(resources.milliCpu()));
        amounts.put("memory", memoryQuantity(limits.memoryBytes()));
        // The pod's requests add up to the agent's cpu and memory (what its team counts). Memory is split with
        // request = limit per container, so a tool's memory hog OOM-kills the tools container, not the runner.
        // Cpu is requested in shares but each container may burst to the agent's whole cpu: they take turns (the
        // runner waits while a command runs), and a runner capped at a quarter core would start 4x slower.
        long runnerMilli = PodLimits.runnerMilliCpu(resources.milliCpu());
        Map<String, Quantity> runnerRequests = new LinkedHashMap<>();
        runnerRequests.put("cpu", cpuQuantity(runnerMilli));
        runnerRequests.put("memory", memoryQuantity(limits.runnerMemoryBytes()));
        Map<String, Quantity> runnerLimits = new LinkedHashMap<>(runnerRequests);
        runnerLimits.put("cpu", cpuQuantity(resources.milliCpu()));
        runnerLimits.put("ephemeral-storage", memoryQuantity(PodLimits.RUNNER_EPHEMERAL));
        Map<String, Quantity> toolsRequests = new LinkedHashMap<>();
        toolsRequests.put("cpu", cpuQuantity(resources.milliCpu() - runnerMilli));
        toolsRequests.put("memory", memoryQuantity(limits.toolsMemoryBytes()));
        Map<String, Quantity> toolsLimits = new LinkedHashMap<>(toolsRequests);
        toolsLimits.put("cpu", cpuQuantity(resources.milliCpu()));
        toolsLimits.put("ephemeral-storage", memoryQuantity(limits.ephemeralStorageBytes()));
        List<LocalObjectReference> pullSecrets = settings.imagePullSecrets().stream().map(LocalObjectReference::new).toList();
        List<Toleration> tolerations = settings.tolerations().stream()
                .map(t -> Protocol.json().convertValue(t, Toleration.class)).toList();
        return new PodBuilder()
                .withMetadata(meta(podName, agent, kernelId))
                .withNewSpec()
                    .withRestartPolicy("Always")
                    .withHostname(podName)
                    .withAutomountServiceAccountToken(false)
                    .withEnableServiceLinks(false)
                    .withServiceAccountName(settings.serviceAccount())
                    .withImagePullSecrets(pullSecrets)
                    .withNodeSelector(settings.nodeSelector().isEmpty() ? null : settings.nodeSelector())
                    .withTolerations(tolerations)
                    .withTerminationGracePeriodSeconds(5L)
                    .withNewSecurityContext()
                        .withRunAsNonRoot(true).withRunAsUser(RUNNER_UID).withRunAsGroup(RUNNER_UID).withFsGroup(RUNNER_UID)
                        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                    .endSecurityContext()
                    .withInitContainers(linkBundles ? List.of(bundlesInit(image, amounts)) : null)
                    .addToContainers(new ContainerBuilder()
                        .withName(CONTAINER)
                        .withImage(image)
                        .withImagePullPolicy("IfNotPresent")
                        .withCommand(command())
                        .withWorkingDir(WORKSPACE)
                        .addNewEnvFrom().withNewSecretRef().withName(PodNames.secret(podName)).endSecretRef().endEnvFrom()
                        // The root file system is read-only: HOME and the JVM's temp dir must point at writable volumes.
                        .addNewEnv().withName("HOME").withValue(WORKSPACE).endEnv()
                        .addNewEnv().withName(TOOL_SOCKET_ENV).withValue(TOOL_SOCKET).endEnv()
                        .addNewEnv().withName("JAVA_TOOL_OPTIONS").withValue("-Djava.io.tmpdir=/tmp -XX:-UsePerfData").endEnv()
                        .addNewPort().withName("http").withContainerPort(KubernetesSettings.CONTAINER_PORT).withProtocol("TCP").endPort()
                        .withNewResources().withRequests(runnerRequests).withLimits(runnerLimits).endResources()
                        .withNewReadinessProbe()
                            .withNewHttpGet().withPath(Protocol.PATH_HEALTH).withNewPort(KubernetesSettings.CONTAINER_PORT).endHttpGet()
                            .withPeriodSeconds(2).withTimeoutSeconds(1).withFailureThreshold(3)
                        .endReadinessProbe()
                        .withSecurityContext(restrictedContainer())
                        .addNewVolumeMount().withName("config").withMountPath(CONFIG_DIR).withReadOnly(true).endVolumeMount()
                        .addNewVolumeMount().withName("workspace").withMountPath(WORKSPACE).endVolumeMount()
                        .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                        .addNewVolumeMount().withName("state").withMountPath(STATE_DIR).endVolumeMount()
                        .addNewVolumeMount().withName("tool-socket").withMountPath(TOOL_SOCKET_DIR).endVolumeMount()
                        .build())
                    .addToContainers(toolsContainer(image, toolsRequests, toolsLimits))
                    .addNewVolume().withName("config").withNewConfigMap().withName(PodNames.configMap(podName)).withDefaultMode(0444).endConfigMap().endVolume()
                    .addNewVolume().withName("workspace").withNewEmptyDir().withSizeLimit(memoryQuantity(limits.workspaceBytes())).endEmptyDir().endVolume()
                    .addNewVolume().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity("256Mi")).endEmptyDir().endVolume()
                    .addNewVolume().withName("tools-tmp").withNewEmptyDir().withSizeLimit(new Quantity("256Mi")).endEmptyDir().endVolume()
                    .addNewVolume().withName("state").withNewEmptyDir().withSizeLimit(memoryQuantity(PodLimits.STATE_BYTES)).endEmptyDir().endVolume()
                    // a socket and a marker file: memory-backed, tiny
                    .addNewVolume().withName("tool-socket").withNewEmptyDir().withMedium("Memory").withSizeLimit(new Quantity("1Mi")).endEmptyDir().endVolume()
                .endSpec()
                .build();
    }

    /**
     * The tools container: same image, the runner jar's {@link #TOOLS_MAIN}, which dials the runner's socket and runs
     * each command with bash in the workspace. It mounts the workspace, its own /tmp and the socket directory
     * read-only; not the config, not the runner's state, no Secret in its environment (the runner sends it the
     * scrubbed tool environment). Its JVM is small: a heap of 32 MiB serves the protocol; the rest of its memory is
     * the commands'.
     */
    private static io.fabric8.kubernetes.api.model.Container toolsContainer(String image, Map<String, Quantity> requests,
                                                                            Map<String, Quantity> limits) {
        return new ContainerBuilder()
                .withName(TOOLS_CONTAINER)
                .withImage(image)
                .withImagePullPolicy("IfNotPresent")
                .withCommand(toolsCommand())
                .withWorkingDir(WORKSPACE)
                .addNewEnv().withName("HOME").withValue(WORKSPACE).endEnv()
                .addNewEnv().withName("JAVA_TOOL_OPTIONS").withValue("-Djava.io.tmpdir=/tmp -XX:-UsePerfData").endEnv()
                .withNewResources().withRequests(requests).withLimits(limits).endResources()
                .withSecurityContext(restrictedContainer())
                .addNewVolumeMount().withName("workspace").withMountPath(WORKSPACE).endVolumeMount()
                .addNewVolumeMount().withName("tools-tmp").withMountPath("/tmp").endVolumeMount()
                // read-only: a tool can connect to nothing here (the runner listens only until the server dialled) and
                // cannot put its own socket in the runner's place (ToolChannel's class comment)
                .addNewVolumeMount().withName("tool-socket").withMountPath(TOOL_SOCKET_DIR).withReadOnly(true).endVolumeMount()
                .build();
    }

    /**
     * The one security context of every container in an agent pod (runner, tools, bundles init): non-root, no
     * privilege escalation, read-only root file system, every capability dropped — the Pod Security "restricted"
     * profile, written once so the three containers cannot drift apart.
     */
    static SecurityContext restrictedContainer() {
        return new SecurityContextBuilder()
                .withRunAsNonRoot(true).withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true).withPrivileged(false)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .build();
    }

    /** The tools container's entrypoint: the server from the runner jar, dialling the runner's socket. */
    public static List<String> toolsCommand() {
        return List.of("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Xmx32m",
                "-cp", RUNNER_JAR, TOOLS_MAIN, "--socket", TOOL_SOCKET, "--workspace", WORKSPACE);
    }

    /** Same image, so no extra pull; same limits, so the pod's effective request does not grow. */
    private static io.fabric8.kubernetes.api.model.Container bundlesInit(String image, Map<String, Quantity> amounts) {
        return new ContainerBuilder()
                .withName(BUNDLES_INIT_CONTAINER)
                .withImage(image)
                .withImagePullPolicy("IfNotPresent")
                .withCommand(bundlesLinkCommand())
                .withNewResources().withRequests(amounts).withLimits(amounts).endResources()
                .withSecurityContext(restrictedContainer())
                .addNewVolumeMount().withName("workspace").withMountPath(WORKSPACE).endVolumeMount()
                .build();
    }

    /** Needs only {@code ln} in the image (coreutils or busybox; the Temurin base has it). */
    public static List<String> bundlesLinkCommand() {
        return List.of("ln", "-sfn", BUNDLES_DIR, WORKSPACE_BUNDLES);
    }

    /** "2" for whole cores, "500m" otherwise: the form kubectl shows. */
    static Quantity cpuQuantity(long milliCpu) {
        return milliCpu % 1000 == 0 ? new Quantity(Long.toString(milliCpu / 1000)) : new Quantity(milliCpu + "m");
    }

    /** "512Mi" when the amount is a whole number of binary units, else bytes. */
    static Quantity memoryQuantity(long bytes) {
        String human = Resources.formatBytes(bytes);
        return new Quantity(human.endsWith(" bytes") ? Long.toString(bytes) : human);
    }

    /** The container's entrypoint: the runner from the base image, reading the mounted config. */
    public static List<String> command() {
        // Half of the runner container's memory (PodLimits.runnerMemoryBytes) as heap, not the JVM's default quarter.
        return List.of("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:MaxRAMPercentage=50",
                "-cp", RUNNER_JAR, RUNNER_MAIN, "--config", CONFIG_PATH);
    }
}
