package dev.agentkernel.spawn.k8s.testing;

import dev.agentkernel.protocol.RunnerConfig;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.spawn.k8s.AgentObjects;
import dev.agentkernel.spawn.k8s.KubernetesSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A test-only kubelet (plus scheduler and garbage collector) for the mock API server. It watches the
 * namespace's pods and, for each new one: schedules it against a node of {@link #nodeMilliCpu} cpu (or marks
 * it Unschedulable), "pulls" its image ({@link #RUNNABLE_IMAGES} exist; an image in a registry on loopback is
 * really pulled by {@link RegistryPull}, which unpacks its {@code /opt/agentkernel/} files (the bundle layers) into
 * a per-pod root file system; others fail with ErrImagePull then ImagePullBackOff), runs the pod's init
 * containers as local processes with the image's paths mapped to that root, reads its ConfigMap and Secret from
 * the API, and runs the pod's command (the runner from the local build, standing in for the image's) as a local
 * process on its own loopback address 127.0.0.N and the container port, writing the pod status back as a real
 * kubelet would (phase, podIP, Ready after /health answers, container states). A runner that exits is
 * reported terminated and then CrashLoopBackOff. Deleting the pod kills the process and deletes the objects
 * the pod owns and its events.
 */
public final class ProcessKubelet implements AutoCloseable {
    public static final String IMAGE = "agentkernel/runner:test";
    /** Runs the runner with a config path that does not exist, so it really exits with an error. */
    public static final String CRASHING_IMAGE = "agentkernel/runner:crash";
    /**
     * Like a pause container with a health endpoint: the kubelet itself answers {@code /health} on the pod IP,
     * with no runner. For benchmarks that count API calls with many pods, where 100 runner JVMs would not fit.
     */
    public static final String HEALTH_ONLY_IMAGE = "agentkernel/health-only:test";
    static final Set<String> RUNNABLE_IMAGES = Set.of(IMAGE, CRASHING_IMAGE, HEALTH_ONLY_IMAGE);

    private final KubernetesClient client;
    private final String namespace;
    private final Path root;
    private final Path runnerJar;
    private final long nodeMilliCpu;
    private final boolean nonceShim;
    private final Map<String, RunningPod> running = new ConcurrentHashMap<>();
    private final AtomicInteger nextIp = new AtomicInteger(10);
    private final AtomicInteger nextSocketDir = new AtomicInteger();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Watch watch;
    private final Watch leaseWatch;
    private final PodApiServer podApi;
    /** Pods deleted from the API (names are unique per agent). */
    private final Set<String> deleted = ConcurrentHashMap.newKeySet();
    /** Pods whose projected tokens are kept fresh. */
    private final Set<String> mounted = ConcurrentHashMap.newKeySet();
    /** How often a projected token is rewritten here; each is refused after ten rewrites (a real one: 80% of expirationSeconds). */
    private final Duration tokenTtl;
    private final java.util.concurrent.ScheduledExecutorService rotator =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("kubelet-token-rotation").factory());
    /** The service-account mount path the runner reads by default; mapped to a local dir through its override. */
    static final String SERVICE_ACCOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";

    /** @param tools the pod's tools container's process (null for a pod without one) */
    private record RunningPod(String name, String uid, String ip, Process process, Path dir, com.sun.net.httpserver.HttpServer health,
                              Process tools) {
        RunningPod(String name, String uid, String ip, Process process, Path dir) { this(name, uid, ip, process, dir, null, null); }
    }

    /**
     * Whether each non-runner container runs in a bubblewrap of its own that shows only its volume mounts (the rest
     * of this kubelet's pod directories under an empty tmpfs) and has its own pid namespace and /proc, as a container
     * has: then a tool cannot reach the runner's state, config or /proc/<runner>/ by any path. Without bwrap the
     * containers still get only their own paths, but nothing stops a process from guessing another's.
     */
    public static boolean isolatesContainers() {
        return BWRAP != null;
    }

    private static final Path BWRAP = findBwrap();

    private static Path findBwrap() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, "bwrap");
            if (Files.isExecutable(p)) {
                try {
                    Process probe = new ProcessBuilder(p.toString(), "--bind", "/", "/", "--unshare-pid", "--proc", "/proc", "true")
                            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    if (probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0) return p;
                    probe.destroyForcibly();
                } catch (IOException e) {
                    return null;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
        return null;
    }

    ProcessKubelet(KubernetesClient client, String namespace, Path root, Path runnerJar, long nodeMilliCpu, boolean nonceShim,
                   PodApiServer podApi, Duration tokenTtl) {
        this.podApi = podApi;
        this.tokenTtl = tokenTtl;
        this.client = client;
        this.namespace = namespace;
        this.root = root;
        this.runnerJar = runnerJar;
        this.nodeMilliCpu = nodeMilliCpu;
        this.nonceShim = nonceShim;
        this.watch = client.pods().inNamespace(namespace).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                switch (action) {
                    case ADDED -> executor.execute(() -> start(pod));
                    case DELETED -> executor.execute(() -> stop(pod));
                    default -> { }
                }
            }

            @Override
            public void onClose(WatcherException cause) { }
        });
        // The garbage collector for what a Lease owns (the pods' ServiceAccount, Role and RoleBinding).
        this.leaseWatch = client.leases().inNamespace(namespace).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, io.fabric8.kubernetes.api.model.coordination.v1.Lease lease) {
                if (action == Action.DELETED) executor.execute(() -> collectGarbageOf(lease.getMetadata().getUid()));
            }

            @Override
            public void onClose(WatcherException cause) { }
        });
    }

    private void collectGarbageOf(String uid) {
        for (var o : client.serviceAccounts().inNamespace(namespace).list().getItems()) {
            if (ownedBy(o.getMetadata().getOwnerReferences(), uid)) client.serviceAccounts().inNamespace(namespace).resource(o).delete();
        }
        for (var o : client.rbac().roles().inNamespace(namespace).list().getItems()) {
            if (ownedBy(o.getMetadata().getOwnerReferences(), uid)) client.rbac().roles().inNamespace(namespace).resource(o).delete();
        }
        for (var o : client.rbac().roleBindings().inNamespace(namespace).list().getItems()) {
            if (ownedBy(o.getMetadata().getOwnerReferences(), uid)) client.rbac().roleBindings().inNamespace(namespace).resource(o).delete();
        }
    }

    /** 127.0.0.10, 127.0.0.11, ...: the whole of 127/8 is loopback on Linux, so every pod gets its own address. */
    private String nextIp() {
        int n = nextIp.getAndIncrement();
        return "127.0." + (n / 250) + "." + (n % 250 + 2);
    }

    /** The IP of a running pod, for the port-forward tunnel. */
    Optional<String> podIp(String podName) {
        RunningPod p = running.get(podName);
        return p == null ? Optional.empty() : Optional.of(p.ip);
    }

    /** Pods whose runner process is alive. */
    public int runningProcesses() {
        return (int) running.values().stream().filter(p -> p.process != null && p.process.isAlive()).count();
    }

    /** The local directory standing in for a running pod's {@code /workspace}. */
    public Optional<Path> workspace(String podName) {
        RunningPod p = running.get(podName);
        return p == null || p.process == null ? Optional.empty() : Optional.of(p.dir.resolve("workspace"));
    }

    public Optional<ProcessHandle> process(String podName) {
        RunningPod p = running.get(podName);
        return p == null || p.process == null ? Optional.empty() : Optional.of(p.process.toHandle());
    }

    private void start(Pod pod) {
        String name = pod.getMetadata().getName();
        try {
            var container = pod.getSpec().getContainers().getFirst();
            long milli = 0; // the pod's request: the sum of its containers'
            for (var c : pod.getSpec().getContainers()) {
                Quantity cpu = c.getResources() == null || c.getResources().getRequests() == null ? null : c.getResources().getRequests().get("cpu");
                milli += cpu == null ? 0 : Quantity.getAmountInBytes(cpu).movePointRight(3).longValue();
            }
            if (milli > nodeMilliCpu) {
                String msg = "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.";
                event(pod, "Warning", "FailedScheduling", msg);
                status(name, "Pending", null, List.of(condition("PodScheduled", "False", "Unschedulable", msg)), List.of());
                return;
            }
            event(pod, "Normal", "Scheduled", "Successfully assigned " + namespace + "/" + name + " to process-node");
            String image = container.getImage();
            Path rootfs = null;
            String pullError = RUNNABLE_IMAGES.contains(image) ? null : "failed to pull and unpack image \"" + image + "\": not found";
            if (pullError != null && RegistryPull.isLoopbackReference(image)) {
                event(pod, "Normal", "Pulling", "Pulling image \"" + image + "\"");
                rootfs = root.resolve(name).resolve("rootfs");
                try {
                    RegistryPull.pull(image, rootfs);
                    pullError = null;
                } catch (IOException e) {
                    deleteTree(root.resolve(name));
                    pullError = e.getMessage();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (pullError != null) {
                event(pod, "Normal", "Pulling", "Pulling image \"" + image + "\"");
                event(pod, "Warning", "Failed", "Failed to pull image \"" + image + "\": " + pullError);
                status(name, "Pending", null, List.of(condition("PodScheduled", "True", null, null)),
                        List.of(waiting("ErrImagePull", pullError)));
                event(pod, "Warning", "Failed", "Error: ImagePullBackOff");
                status(name, "Pending", null, List.of(condition("PodScheduled", "True", null, null)),
                        List.of(waiting("ImagePullBackOff", "Back-off pulling image \"" + image + "\"")));
                return;
            }
            if (image.equals(HEALTH_ONLY_IMAGE)) {
                serveHealthOnly(pod);
            } else {
                run(pod, image.equals(CRASHING_IMAGE), rootfs);
            }
        } catch (RuntimeException | IOException e) {
            event(pod, "Warning", "KubeletError", String.valueOf(e));
        }
    }

    private void run(Pod pod, boolean crash, Path rootfs) throws IOException {
        String name = pod.getMetadata().getName();
        String ip = nextIp();
        ConfigMap cm = client.configMaps().inNamespace(namespace).withName(name + "-config").get();
        Secret secret = client.secrets().inNamespace(namespace).withName(name + "-secret").get();
        if (cm == null || secret == null) {
            event(pod, "Warning", "FailedMount", "configmap or secret of pod " + name + " not found");
            status(name, "Pending", null, List.of(condition("PodScheduled", "True", null, null)),
                    List.of(waiting("CreateContainerConfigError", "configmap or secret not found")));
            return;
        }
        Path dir = Files.createDirectories(root.resolve(name));
        Path workspace = Files.createDirectories(dir.resolve("workspace"));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        // The runner's own volumes: given to its process only (the tools container gets workspace, its /tmp and the socket dir).
        Path state = Files.createDirectories(dir.resolve("state"));
        // Short: a Unix socket path has at most 107 bytes, and pod directories under the temp dir come close.
        Path socketDir = Files.createDirectories(root.resolve("s").resolve(Integer.toString(nextSocketDir.incrementAndGet())));
        Path toolsTmp = Files.createDirectories(dir.resolve("tools-tmp"));
        Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        secretData(secret).forEach(env::put);
        var container = pod.getSpec().getContainers().getFirst();
        if (container.getEnv() != null) {
            container.getEnv().forEach(e -> env.put(e.getName(), mapPaths(e.getValue(), workspace, tmp, rootfs, state, socketDir)));
        }
        // As a node does: the in-cluster API address (TLS only, the cluster's CA, a bearer token) and the
        // pod's projected volumes; never a plain-http URL.
        env.put("KUBERNETES_SERVICE_HOST", podApi.host());
        env.put("KUBERNETES_SERVICE_PORT", Integer.toString(podApi.port()));
        String mountError = mountProjectedVolumes(pod, dir, env);
        if (mountError != null) {
            event(pod, "Warning", "FailedMount", mountError);
            status(name, "Pending", null, List.of(condition("PodScheduled", "True", null, null)),
                    List.of(waiting("CreateContainerConfigError", mountError)));
            return;
        }
        if (!runInitContainers(pod, workspace, tmp, rootfs, env)) return;
        ObjectNode config = (ObjectNode) Protocol.json().readTree(cm.getData().get(AgentObjects.CONFIG_KEY));
        config.put("workspace", workspace.toString());
        config.put("state_dir", mapPaths(config.path("state_dir").asText(AgentObjects.STATE_DIR), workspace, tmp, rootfs, state, socketDir));
        if (config.has("bundles")) {
            var mapped = Protocol.json().createArrayNode();
            config.path("bundles").forEach(b -> mapped.add(mapPaths(b.asText(), workspace, tmp, rootfs)));
            config.set("bundles", mapped);
        }
        config.put("bind_address", ip);
        if (nonceShim && !config.has("nonce")) config.put("nonce", env.get(RunnerConfig.ENV_NONCE));
        Path configFile = dir.resolve("config.json");
        Files.writeString(configFile, Protocol.json().writeValueAsString(config));

        List<String> command = new ArrayList<>();
        for (String arg : container.getCommand()) {
            command.add(switch (arg) {
                case "java" -> Path.of(System.getProperty("java.home"), "bin", "java").toString();
                case AgentObjects.RUNNER_JAR -> runnerJar.toString();
                case AgentObjects.CONFIG_PATH -> crash ? dir.resolve("missing-config.json").toString() : configFile.toString();
                default -> arg;
            });
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(workspace.toFile())
                .redirectOutput(dir.resolve("runner.out").toFile()).redirectError(dir.resolve("runner.err").toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        event(pod, "Normal", "Pulled", "Container image \"" + container.getImage() + "\" already present on machine");
        Process process = pb.start();
        var toolsSpec = pod.getSpec().getContainers().stream().filter(c -> AgentObjects.TOOLS_CONTAINER.equals(c.getName())).findFirst();
        Process tools = null;
        if (toolsSpec.isPresent()) {
            try {
                tools = startTools(toolsSpec.get(), dir, workspace, toolsTmp, socketDir, rootfs);
            } catch (IOException e) {
                kill(process);
                throw e;
            }
        }
        RunningPod rp = new RunningPod(name, pod.getMetadata().getUid(), ip, process, dir, null, tools);
        running.put(name, rp);
        if (deleted.contains(name)) {
            // Deleted while it was being started: stop() found nothing to kill yet.
            running.remove(name, rp);
            kill(process);
            kill(tools);
            deleteTree(dir);
            return;
        }
        event(pod, "Normal", "Started", "Started container " + AgentObjects.CONTAINER);
        String started = Instant.now().toString();
        status(name, "Running", ip, List.of(condition("PodScheduled", "True", null, null), condition("Ready", "False", "ContainersNotReady", null)),
                List.of(new ContainerStatusBuilder().withName(AgentObjects.CONTAINER).withReady(false).withRestartCount(0).withImage(container.getImage())
                        .withNewState().withNewRunning().withStartedAt(started).endRunning().endState().build()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (process.isAlive() && System.nanoTime() < deadline && running.get(name) == rp) {
            if (healthy(ip)) {
                status(name, "Running", ip, List.of(condition("PodScheduled", "True", null, null), condition("Ready", "True", null, null)),
                        List.of(new ContainerStatusBuilder().withName(AgentObjects.CONTAINER).withReady(true).withRestartCount(0).withImage(container.getImage())
                                .withNewState().withNewRunning().withStartedAt(started).endRunning().endState().build()));
                break;
            }
            try {
                process.waitFor(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
        }
        process.onExit().thenRun(() -> executor.execute(() -> crashed(pod, rp)));
    }

    /**
     * The tools container as its own process: its command with only its own mounts mapped (workspace, its /tmp, the
     * socket dir; never the runner's state or config), only its own environment (no Secret), and under bwrap where
     * possible so nothing else of this kubelet's pods is visible at all and the socket dir is read-only.
     */
    private Process startTools(io.fabric8.kubernetes.api.model.Container spec, Path dir, Path workspace, Path toolsTmp, Path socketDir,
                               Path rootfs) throws IOException {
        List<String> command = new ArrayList<>();
        if (BWRAP != null) {
            command.addAll(List.of(BWRAP.toString(), "--bind", "/", "/", "--tmpfs", root.toString(),
                    "--bind", workspace.toString(), workspace.toString(),
                    "--bind", toolsTmp.toString(), toolsTmp.toString(),
                    "--ro-bind", socketDir.toString(), socketDir.toString()));
            if (rootfs != null) command.addAll(List.of("--ro-bind", rootfs.toString(), rootfs.toString()));
            command.addAll(List.of("--dev", "/dev", "--unshare-pid", "--proc", "/proc", "--die-with-parent", "--chdir", workspace.toString(), "--"));
        }
        for (String arg : spec.getCommand()) {
            command.add(switch (arg) {
                case "java" -> Path.of(System.getProperty("java.home"), "bin", "java").toString();
                case AgentObjects.RUNNER_JAR -> runnerJar.toString();
                default -> mapPaths(arg, workspace, toolsTmp, rootfs, null, socketDir);
            });
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(workspace.toFile())
                .redirectOutput(dir.resolve("tools.out").toFile()).redirectError(dir.resolve("tools.err").toFile());
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        if (spec.getEnv() != null) {
            spec.getEnv().forEach(e -> pb.environment().put(e.getName(), mapPaths(e.getValue(), workspace, toolsTmp, rootfs, null, socketDir)));
        }
        return pb.start();
    }

    /** The process of a running pod's tools container. */
    public Optional<ProcessHandle> toolsProcess(String podName) {
        RunningPod p = running.get(podName);
        return p == null || p.tools == null ? Optional.empty() : Optional.of(p.tools.toHandle());
    }

    /** The exit code of a pod's tools container, once it exited. */
    public Optional<Integer> toolsExitCode(String podName) {
        RunningPod p = running.get(podName);
        return p == null || p.tools == null || p.tools.isAlive() ? Optional.empty() : Optional.of(p.tools.exitValue());
    }

    /** The local directory standing in for a running pod's runner state ({@link AgentObjects#STATE_DIR}). */
    public Optional<Path> runnerState(String podName) {
        RunningPod p = running.get(podName);
        return p == null || p.process == null ? Optional.empty() : Optional.of(p.dir.resolve("state"));
    }

    /** The local file standing in for a running pod's mounted config.json. */
    public Optional<Path> runnerConfig(String podName) {
        RunningPod p = running.get(podName);
        return p == null || p.process == null ? Optional.empty() : Optional.of(p.dir.resolve("config.json"));
    }

    /**
     * What a kubelet does with the pod's projected volumes: a {@code serviceAccountToken} (for the pod's service
     * account, which must exist; expirationSeconds at least 600 as the API server demands) rewritten before it
     * expires, {@code configMap} items read from the API (e.g. {@code kube-root-ca.crt}) and the
     * {@code metadata.namespace} downward API item, into a local directory standing in for the mount. The
     * service-account mount path is given to the runner through its directory override. Returns an error or null.
     */
    private String mountProjectedVolumes(Pod pod, Path dir, Map<String, String> env) throws IOException {
        String name = pod.getMetadata().getName();
        String sa = pod.getSpec().getServiceAccountName() == null ? "default" : pod.getSpec().getServiceAccountName();
        var container = pod.getSpec().getContainers().getFirst();
        if (pod.getSpec().getVolumes() == null) return null;
        for (var volume : pod.getSpec().getVolumes()) {
            if (volume.getProjected() == null) continue;
            var mount = container.getVolumeMounts() == null ? null : container.getVolumeMounts().stream()
                    .filter(m -> m.getName().equals(volume.getName())).findFirst().orElse(null);
            if (mount == null) continue;
            Path local = Files.createDirectories(dir.resolve("volumes").resolve(volume.getName()));
            for (var source : volume.getProjected().getSources()) {
                if (source.getServiceAccountToken() != null) {
                    var t = source.getServiceAccountToken();
                    if (t.getExpirationSeconds() != null && t.getExpirationSeconds() < 600) {
                        return "spec.volumes[" + volume.getName() + "].projected.sources.serviceAccountToken.expirationSeconds: Invalid value: "
                                + t.getExpirationSeconds() + ": may not specify a duration less than 10 minutes";
                    }
                    if (!"default".equals(sa) && client.serviceAccounts().inNamespace(namespace).withName(sa).get() == null) {
                        return "error looking up service account " + namespace + "/" + sa + ": serviceaccount \"" + sa + "\" not found";
                    }
                    Path file = local.resolve(t.getPath());
                    mounted.add(name);
                    writeAtomically(file, podApi.issue(name, sa));
                    // Rewritten before it expires (a real kubelet does at 80% of its lifetime).
                    long every = tokenTtl.toMillis();
                    rotator.scheduleWithFixedDelay(() -> {
                        if (!mounted.contains(name)) throw new java.util.concurrent.CancellationException("pod gone");
                        try {
                            writeAtomically(file, podApi.issue(name, sa));
                        } catch (IOException ignored) {
                            // The pod's dir is being deleted.
                        }
                    }, every, every, TimeUnit.MILLISECONDS);
                }
                if (source.getConfigMap() != null) {
                    ConfigMap cm = client.configMaps().inNamespace(namespace).withName(source.getConfigMap().getName()).get();
                    if (cm == null) return "configmap \"" + source.getConfigMap().getName() + "\" not found";
                    for (var item : source.getConfigMap().getItems()) {
                        String value = cm.getData() == null ? null : cm.getData().get(item.getKey());
                        if (value == null) return "configmap " + cm.getMetadata().getName() + " has no key " + item.getKey();
                        writeAtomically(local.resolve(item.getPath()), value);
                    }
                }
                if (source.getDownwardAPI() != null) {
                    for (var item : source.getDownwardAPI().getItems()) {
                        if (item.getFieldRef() != null && "metadata.namespace".equals(item.getFieldRef().getFieldPath())) {
                            writeAtomically(local.resolve(item.getPath()), namespace);
                        }
                    }
                }
            }
            if (SERVICE_ACCOUNT_PATH.equals(mount.getMountPath())) env.put("AGENTKERNEL_KUBE_SA_DIR", local.toString());
        }
        return null;
    }

    private static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Runs each init container's command as a local process (cwd the workspace, image paths mapped), one after
     * the other as a kubelet does; a failure is reported as {@code Init:Error} and the pod does not start.
     */
    private boolean runInitContainers(Pod pod, Path workspace, Path tmp, Path rootfs, Map<String, String> env) throws IOException {
        var inits = pod.getSpec().getInitContainers();
        if (inits == null) return true;
        String name = pod.getMetadata().getName();
        for (var init : inits) {
            List<String> command = init.getCommand().stream().map(a -> mapPaths(a, workspace, tmp, rootfs)).toList();
            ProcessBuilder pb = new ProcessBuilder(command).directory(workspace.toFile()).redirectErrorStream(true)
                    .redirectOutput(workspace.getParent().resolve(init.getName() + ".out").toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            boolean ok;
            try {
                ok = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (InterruptedException e) {
                kill(p);
                Thread.currentThread().interrupt();
                return false;
            }
            if (!ok) {
                kill(p);
                String out = Files.readString(workspace.getParent().resolve(init.getName() + ".out")).strip();
                event(pod, "Warning", "Failed", "init container " + init.getName() + " failed: " + out);
                status(name, "Pending", null, List.of(condition("PodScheduled", "True", null, null)),
                        List.of(waiting("Init:Error", "init container " + init.getName() + " " + command + " failed: " + out)));
                return false;
            }
            event(pod, "Normal", "Completed", "init container " + init.getName() + " completed");
        }
        return true;
    }

    private void serveHealthOnly(Pod pod) throws IOException {
        String name = pod.getMetadata().getName();
        String ip = nextIp();
        var server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(ip, KubernetesSettings.CONTAINER_PORT), 0);
        server.createContext("/health", ex -> {
            byte[] body = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        running.put(name, new RunningPod(name, pod.getMetadata().getUid(), ip, null, root.resolve(name), server, null));
        String started = Instant.now().toString();
        status(name, "Running", ip, List.of(condition("PodScheduled", "True", null, null), condition("Ready", "True", null, null)),
                List.of(new ContainerStatusBuilder().withName(AgentObjects.CONTAINER).withReady(true).withRestartCount(0).withImage(HEALTH_ONLY_IMAGE)
                        .withNewState().withNewRunning().withStartedAt(started).endRunning().endState().build()));
    }

    /** The runner exited while its pod still exists: report it as a real kubelet would, then back off. */
    private void crashed(Pod pod, RunningPod rp) {
        if (running.get(rp.name) != rp) return;
        int code = rp.process.exitValue();
        String finished = Instant.now().toString();
        String policy = pod.getSpec().getRestartPolicy();
        if ("Never".equals(policy) || ("OnFailure".equals(policy) && code == 0)) {
            // Not restarted: the pod is finished (a runner whose owner lease lapsed exits 0 under OnFailure) once every
            // container is; the tools container exits by itself when the runner's connection ends.
            var done = new ContainerStatusBuilder().withName(AgentObjects.CONTAINER).withReady(false).withRestartCount(0)
                    .withNewState().withNewTerminated().withExitCode(code).withReason(code == 0 ? "Completed" : "Error")
                    .withFinishedAt(finished).endTerminated().endState().build();
            List<ContainerStatus> statuses = new ArrayList<>(List.of(done));
            int toolsCode = 0;
            if (rp.tools != null) {
                try {
                    if (!rp.tools.waitFor(30, TimeUnit.SECONDS)) {
                        statuses.add(new ContainerStatusBuilder().withName(AgentObjects.TOOLS_CONTAINER).withReady(true).withRestartCount(0)
                                .withNewState().withNewRunning().withStartedAt(finished).endRunning().endState().build());
                        status(rp.name, "Running", rp.ip, List.of(condition("PodScheduled", "True", null, null),
                                condition("Ready", "False", "ContainersNotReady", null)), statuses);
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                toolsCode = rp.tools.exitValue();
                statuses.add(new ContainerStatusBuilder().withName(AgentObjects.TOOLS_CONTAINER).withReady(false).withRestartCount(0)
                        .withNewState().withNewTerminated().withExitCode(toolsCode).withReason(toolsCode == 0 ? "Completed" : "Error")
                        .withFinishedAt(Instant.now().toString()).endTerminated().endState().build());
            }
            boolean ok = code == 0 && toolsCode == 0;
            status(rp.name, ok ? "Succeeded" : "Failed", rp.ip, List.of(condition("PodScheduled", "True", null, null),
                    condition("Ready", "False", "PodCompleted", null)), statuses);
            return;
        }
        var terminated = new ContainerStatusBuilder().withName(AgentObjects.CONTAINER).withReady(false).withRestartCount(0)
                .withNewState().withNewTerminated().withExitCode(code).withReason("Error").withFinishedAt(finished).endTerminated().endState().build();
        status(rp.name, "Running", rp.ip, List.of(condition("PodScheduled", "True", null, null), condition("Ready", "False", "ContainersNotReady", null)),
                List.of(terminated));
        event(pod, "Warning", "BackOff", "Back-off restarting failed container " + AgentObjects.CONTAINER + " in pod " + rp.name);
        status(rp.name, "Running", rp.ip, List.of(condition("PodScheduled", "True", null, null), condition("Ready", "False", "ContainersNotReady", null)),
                List.of(new ContainerStatusBuilder().withName(AgentObjects.CONTAINER).withReady(false).withRestartCount(1)
                        .withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                        .withMessage("back-off 10s restarting failed container=" + AgentObjects.CONTAINER).endWaiting().endState()
                        .withNewLastState().withNewTerminated().withExitCode(code).withReason("Error").withFinishedAt(finished).endTerminated().endLastState()
                        .build()));
    }

    private static boolean healthy(String ip) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://" + ip + ":" + KubernetesSettings.CONTAINER_PORT + "/health").toURL().openConnection();
            c.setConnectTimeout(200);
            c.setReadTimeout(500);
            try {
                return c.getResponseCode() == 200;
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    private void stop(Pod pod) {
        String name = pod.getMetadata().getName();
        deleted.add(name);
        RunningPod rp = running.remove(name);
        mounted.remove(name);
        if (rp != null) {
            kill(rp.process);
            kill(rp.tools);
            if (rp.health != null) rp.health.stop(0);
            deleteTree(rp.dir);
        }
        podApi.revoke(name);
        collectGarbage(pod);
    }

    /** What the garbage collector and the event TTL do in a real cluster, right away. */
    private void collectGarbage(Pod pod) {
        String uid = pod.getMetadata().getUid();
        for (ConfigMap cm : client.configMaps().inNamespace(namespace).list().getItems()) {
            if (ownedBy(cm.getMetadata().getOwnerReferences(), uid)) client.configMaps().inNamespace(namespace).resource(cm).delete();
        }
        for (Secret s : client.secrets().inNamespace(namespace).list().getItems()) {
            if (ownedBy(s.getMetadata().getOwnerReferences(), uid)) client.secrets().inNamespace(namespace).resource(s).delete();
        }
        for (var np : client.network().v1().networkPolicies().inNamespace(namespace).list().getItems()) {
            if (ownedBy(np.getMetadata().getOwnerReferences(), uid)) client.network().v1().networkPolicies().inNamespace(namespace).resource(np).delete();
        }
        for (var e : client.v1().events().inNamespace(namespace).list().getItems()) {
            if (e.getInvolvedObject() != null && pod.getMetadata().getName().equals(e.getInvolvedObject().getName())) {
                client.v1().events().inNamespace(namespace).resource(e).delete();
            }
        }
    }

    private static boolean ownedBy(List<io.fabric8.kubernetes.api.model.OwnerReference> refs, String uid) {
        return refs != null && refs.stream().anyMatch(r -> uid.equals(r.getUid()));
    }

    private static void kill(Process p) {
        if (p == null) return;
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Container paths to this pod's local dirs; {@code /opt/agentkernel} only for a pulled image ({@code rootfs}). */
    private static String mapPaths(String value, Path workspace, Path tmp, Path rootfs) {
        return mapPaths(value, workspace, tmp, rootfs, null, null);
    }

    /**
     * With the runner's state dir and the tool socket dir: each only for a container that mounts it (null: left as
     * the container path, which does not exist here).
     */
    private static String mapPaths(String value, Path workspace, Path tmp, Path rootfs, Path state, Path socketDir) {
        if (value == null) return null;
        // One pass, whole path segments only: a mapped local path (often under /tmp itself) is never mapped again.
        return CONTAINER_PATH.matcher(value).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(switch (m.group(1)) {
            case AgentObjects.WORKSPACE -> workspace.toString();
            case "/tmp" -> tmp.toString();
            case AgentObjects.STATE_DIR -> state == null ? m.group(1) : state.toString();
            case AgentObjects.TOOL_SOCKET_DIR -> socketDir == null ? m.group(1) : socketDir.toString();
            default -> rootfs == null ? m.group(1) : rootfs.resolve("opt/agentkernel").toString();
        }));
    }

    private static final java.util.regex.Pattern CONTAINER_PATH =
            java.util.regex.Pattern.compile("(?<![\\w./-])(/opt/agentkernel|/workspace|/tmp|/var/lib/agentkernel|/run/agentkernel)(?=/|$|\\s)");

    private static Map<String, String> secretData(Secret s) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (s.getData() != null) s.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        if (s.getStringData() != null) out.putAll(s.getStringData());
        return out;
    }

    private static PodCondition condition(String type, String status, String reason, String message) {
        return new PodConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastTransitionTime(Instant.now().toString()).build();
    }

    private static ContainerStatus waiting(String reason, String message) {
        return new ContainerStatusBuilder().withName(AgentObjects.CONTAINER).withReady(false).withRestartCount(0)
                .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState().build();
    }

    private void status(String name, String phase, String ip, List<PodCondition> conditions, List<ContainerStatus> containers) {
        try {
            client.pods().inNamespace(namespace).withName(name).editStatus(p -> {
                p.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase(phase).withPodIP(ip).withHostIP("127.0.0.1")
                        .withConditions(conditions).withContainerStatuses(containers).withStartTime(Instant.now().toString()).build());
                return p;
            });
        } catch (RuntimeException podGone) {
            // Deleted while we were reporting on it.
        }
    }

    private void event(Pod pod, String type, String reason, String message) {
        try {
            var created = client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata().withName(pod.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8)).endMetadata()
                    .withNewInvolvedObject().withKind("Pod").withName(pod.getMetadata().getName()).withNamespace(namespace)
                    .withUid(pod.getMetadata().getUid()).endInvolvedObject()
                    .withType(type).withReason(reason).withMessage(message).withCount(1)
                    .withFirstTimestamp(Instant.now().toString()).withLastTimestamp(Instant.now().toString())
                    .withNewSource().withComponent("process-kubelet").endSource()
                    .build()).create();
            // A pod deleted while it was starting: its garbage was collected before this event existed.
            if (deleted.contains(pod.getMetadata().getName())) client.v1().events().inNamespace(namespace).resource(created).delete();
        } catch (RuntimeException ignored) {
            // Events are best effort, as in a real cluster.
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // The test's temp dir is removed with the cluster.
        }
    }

    @Override
    public void close() {
        watch.close();
        leaseWatch.close();
        rotator.shutdownNow();
        for (RunningPod rp : running.values()) {
            kill(rp.process);
            kill(rp.tools);
            if (rp.health != null) rp.health.stop(0);
        }
        running.clear();
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
