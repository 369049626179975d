package dev.agentkernel.spawn.k8s;

import dev.agentkernel.Agent;
import dev.agentkernel.AgentBusConfig;
import dev.agentkernel.AgentKernelException;
import dev.agentkernel.AgentState;
import dev.agentkernel.AgentStatus;
import dev.agentkernel.AgentTypePlugin;
import dev.agentkernel.CreateTeamRequest;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.SpawnFailedException;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.Team;
import dev.agentkernel.packaging.ImageIndex;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.protocol.RunnerConfig;
import dev.agentkernel.spawn.AgentEndpoint;
import dev.agentkernel.spawn.AgentNames;
import dev.agentkernel.spawn.AgentTable;
import dev.agentkernel.spawn.Backend;
import dev.agentkernel.spawn.NonceVault;
import dev.agentkernel.spawn.Nonces;
import dev.agentkernel.spawn.PluginRegistry;
import dev.agentkernel.team.Resources;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Runs each agent as a pod. Per agent: a Secret (nonce, API keys), a ConfigMap (runner config without
 * secrets) and a Pod; the ConfigMap and Secret are owned by the Pod, so deleting the Pod removes them.
 *
 * <p>API calls: a spawn makes five (create Secret, ConfigMap and Pod, then two patches for the owner
 * references, which need the Pod's uid) and waits for readiness on one shared watch; {@link #status()} makes
 * one list call; {@link #kill(String)} one delete.
 */
public final class KubernetesBackend extends dev.agentkernel.spawn.TabledBackend<KubernetesBackend.PodAgent> {

    public static final String NAME = "kubernetes";
    static final int EVENT_LINES = 10;
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final KubernetesSettings settings;
    private final KubeApi api;
    private final boolean ownsClient;
    private final PluginRegistry plugins;
    private final String kernelId;
    /** Spawns running now; close() lets them delete what they created before it closes the client. */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean closed;
    /** How long close() waits for spawns in flight to delete what they created. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    private final PodTracker tracker;
    /** Images built by this state dir's packaging (null: image ids are references or names under registry_url). */
    private final ImageIndex images;
    /** Renewed while this kernel lives; non-detached pods stop when it lapses (issue 8). */
    private final OwnerLease lease;

    /** A running agent: its record (replaced, never mutated), pod and how to reach it. */
    static final class PodAgent extends AgentTable.Entry {
        final String podName;
        final URI baseUri;
        final LocalPortForward forward;

        PodAgent(Agent agent, String podName, URI baseUri, LocalPortForward forward) {
            super(agent);
            this.podName = podName;
            this.baseUri = baseUri;
            this.forward = forward;
        }
    }

    /**
     * @param ownsClient close the client in {@link #close()} (true when the backend built it from the config)
     */
    public KubernetesBackend(KubernetesSettings settings, KubernetesClient client, boolean ownsClient,
                             PluginRegistry plugins, NonceVault vault) {
        this(settings, client, ownsClient, plugins, vault, null);
    }

    /**
     * @param images where {@code packaging().createAgentImage} recorded its images, so that a spawn's
     *               {@code imageId(job.image().id())} runs that image with its bundles linked into the workspace
     */
    public KubernetesBackend(KubernetesSettings settings, KubernetesClient client, boolean ownsClient,
                             PluginRegistry plugins, NonceVault vault, ImageIndex images) {
        super(new AgentTable<>(vault, id -> ""));
        // A proxy URL no pod could use is refused when the kernel is built, not at the first spawn.
        dev.agentkernel.spawn.HostProxy.of(settings.hostEnv());
        this.images = images;
        this.settings = settings;
        this.api = new KubeApi(client, settings.namespace());
        this.ownsClient = ownsClient;
        this.plugins = plugins;
        this.kernelId = newKernelId();
        this.lease = OwnerLease.fromEnv(api, kernelId, settings.hostEnv(), settings.serviceAccount());
        checkNamespace();
        this.tracker = new PodTracker(api, kernelId, this::podGone);
    }

    private static String newKernelId() {
        byte[] b = new byte[6];
        new java.security.SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** A missing namespace is reported when the kernel is built, not at the first spawn. */
    private void checkNamespace() {
        try {
            if (api.client().namespaces().withName(settings.namespace()).get() == null) {
                throw new dev.agentkernel.ConfigException("namespace '" + settings.namespace() + "' does not exist in the cluster at "
                        + api.client().getMasterUrl() + "; create it (kubectl create namespace " + settings.namespace()
                        + ") or set 'namespace' in the kernel config");
            }
        } catch (KubernetesClientException e) {
            // A namespaced Role usually cannot read Namespace objects; the first create then tells.
            if (e.getCode() == 403) return;
            throw api.translate("get", "namespaces", e);
        }
    }

    @Override
    public String name() { return NAME; }

    public KubernetesSettings settings() { return settings; }

    /** The value of the {@value Labels#KERNEL} label on this kernel's objects. */
    public String kernelId() { return kernelId; }

    /** This kernel's owner Lease (created at its first non-detached spawn). */
    public OwnerLease lease() { return lease; }

    /** The agent's pod name, for kubectl. */
    public Optional<String> podName(String agentId) {
        PodAgent a = table.get(agentId);
        return a == null ? Optional.empty() : Optional.of(a.podName);
    }

    // ---------------------------------------------------------------- spawn

    @Override
    public CompletableFuture<SpawnResult> spawn(SpawnRequest request) {
        return table.async(() -> doSpawn(request));
    }

    private SpawnResult doSpawn(SpawnRequest request) {
        // Counted before the closed check: close() waits for every counted spawn to clean up before it closes the client.
        inFlight.incrementAndGet();
        try {
            if (closed) throw closedDuringSpawn(request, null);
            return spawnCounted(request);
        } finally {
            synchronized (inFlight) {
                inFlight.decrementAndGet();
                inFlight.notifyAll();
            }
        }
    }

    private AgentKernelException closedDuringSpawn(SpawnRequest request, Throwable cause) {
        String name = request == null ? "?" : request.name();
        return new AgentKernelException("the kernel was closed while spawning agent '" + name + "'; what the spawn created in namespace "
                + settings.namespace() + " was deleted; build a new AgentKernel to spawn again", cause);
    }

    private void checkOpen(SpawnRequest request) {
        if (closed) throw closedDuringSpawn(request, null);
    }

    private SpawnResult spawnCounted(SpawnRequest request) {
        if (request == null) throw new InvalidRequestException("SpawnRequest is null");
        AgentNames.validate(request.name());
        AgentTypePlugin plugin = plugins.forRequest(request);
        // A packaged image (by job id) runs its digest-pinned reference; anything else is resolved as before.
        Optional<ImageIndex.Entry> built = images == null ? Optional.empty() : images.find(request.imageId());
        String image = built.map(ImageIndex.Entry::reference).orElseGet(() -> settings.imageFor(request.imageId()));
        List<String> bundles = built.map(ImageIndex.Entry::bundles).orElse(List.of());
        Map<String, Object> asked = new LinkedHashMap<>(settings.defaultResources());
        asked.putAll(request.resources());
        PodLimits sizes = PodLimits.take(asked, 0);
        Resources resources = Resources.forAgent(asked);
        PodLimits limits = new PodLimits(resources.memoryBytes() > 0 ? resources.memoryBytes() : PodLimits.DEFAULT_MEMORY,
                sizes.workspaceBytes(), sizes.ephemeralStorageBytes());
        List<AgentNetworkPolicy.Target> egress = settings.network().isolated() ? egressFor(typeConfig(plugin, request)) : List.of();
        checkEnv(request.env());
        Map<String, Object> typeConfig = new LinkedHashMap<>(plugin.runnerConfig(request.spawnInfo(), settings.hostEnv()));
        Object apiKey = typeConfig.remove("api_key");

        String id = UUID.randomUUID().toString();
        String podName = PodNames.forAgent(request.name(), id);
        String nonce = Nonces.generate();
        Agent agent = new Agent(id, request.name(), request.teamId(), request.agentType(), AgentState.STARTING,
                request.metadata(), request.imageId(), Instant.now(), request.detached());
        table.teamRegistry().reserve(request.teamId(), id, resources);
        CompletableFuture<PodVerdict> settled = tracker.awaitSettled(id);
        boolean created = false;
        try {
            Map<String, String> secretEnv = secretEnv(request.env(), nonce, apiKey == null ? "" : apiKey.toString(),
                    typeConfig.get("provider") instanceof String p ? p : null);
            Secret secret = api.call("create", "secrets", () -> api.secrets()
                    .resource(AgentObjects.secret(podName, agent, kernelId, secretEnv)).create());
            created = true;
            checkOpen(request);
            ConfigMap configMap = api.call("create", "configmaps", () -> api.configMaps()
                    .resource(AgentObjects.configMap(podName, agent, kernelId, runnerConfig(typeConfig, agent, request, bundles))).create());
            // Before the pod: the API server refuses a pod whose service account does not exist yet. The Lease and
            // the pods' identity are the kernel's, made once and deleted by close().
            checkOpen(request);
            if (!request.detached()) lease.ensureHeld();
            Pod pod = api.call("create", "pods", () -> api.pods()
                    .resource(lease.bind(AgentObjects.pod(podName, agent, kernelId, image, resources, limits, settings, !bundles.isEmpty()),
                            request.detached())).create());
            if (settings.network().isolated()) {
                // Owned by the pod from the start (one call, no patch): it goes with the pod.
                api.call("create", "networkpolicies", () -> api.networkPolicies()
                        .resource(AgentNetworkPolicy.forAgent(podName, agent, kernelId, pod, settings.access(), egress, kernelAddresses())).create());
            }
            setOwner(configMap, AgentObjects.ownedBy(pod));
            setOwner(secret, AgentObjects.ownedBy(pod));

            PodVerdict verdict = await(settled, id, podName);
            if (verdict.kind() != PodVerdict.Kind.READY) throw notReady(agent, podName, verdict.reason());
            Pod ready = tracker.pod(id).orElseThrow(() -> notReady(agent, podName, "the pod vanished right after it became ready"));
            PodAgent running = connect(agent.withState(AgentState.RUNNING), ready);
            table.register(running, nonce);
            return new SpawnResult(running.agent(), nonce);
        } catch (RuntimeException e) {
            tracker.forget(id);
            table.teamRegistry().release(request.teamId(), id);
            boolean keep = settings.debug() && e instanceof SpawnFailedException && !closed;
            if (created && !keep) deleteQuietly(podName);
            if (!request.detached()) releaseLeaseIfUnused();
            // A close() racing this spawn makes the client fail in its own ways (IllegalStateException: Client is closed).
            if (closed) throw e instanceof AgentKernelException ake && ake.getMessage().startsWith("the kernel was closed") ? ake
                    : closedDuringSpawn(request, e);
            throw e;
        }
    }

    /**
     * A failed spawn that leaves this kernel with no lease-bound agent also removes the Lease (and the pods'
     * identity it owns), so a refused first spawn leaves nothing behind; the next spawn makes them again.
     */
    private void releaseLeaseIfUnused() {
        if (table.entries().stream().anyMatch(a -> !a.agent().detached())) return;
        if (inFlight.get() > 1) return;
        try {
            lease.release();
        } catch (RuntimeException ignored) {
            // cleanup_k8s.sh --expired finds a Lease nobody renews.
        }
    }

    /** A merge patch on the object we just created: fabric8 needs no GET first when it has the object. */
    private void setOwner(HasMetadata created, OwnerReference owner) {
        String patch = "{\"metadata\":{\"ownerReferences\":[" + Protocol.json().valueToTree(owner) + "]}}";
        PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
        if (created instanceof Secret secret) {
            api.run("patch", "secrets", () -> api.secrets().resource(secret).patch(merge, patch));
        } else if (created instanceof ConfigMap configMap) {
            api.run("patch", "configmaps", () -> api.configMaps().resource(configMap).patch(merge, patch));
        }
    }

    private PodVerdict await(CompletableFuture<PodVerdict> settled, String agentId, String podName) {
        try {
            return settled.get(settings.spawnTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            Pod pod = tracker.pod(agentId).orElse(null);
            return new PodVerdict(PodVerdict.Kind.FAILED, "the pod was not ready within " + settings.spawnTimeout().toSeconds()
                    + " s (" + PodVerdict.describe(pod) + "); raise spawn_timeout_seconds if the image is large or the cluster slow");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentKernelException("interrupted while waiting for pod " + podName, e);
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            throw new AgentKernelException("the kernel was closed while waiting for pod " + podName, e);
        }
    }

    private SpawnFailedException notReady(Agent agent, String podName, String reason) {
        List<String> events = events(podName);
        String fate = settings.debug()
                ? "the pod is kept because debug is true: kubectl -n " + settings.namespace() + " describe pod " + podName
                        + "; remove it with scripts/cleanup_k8s.sh"
                : "the pod was deleted (set debug: true in the kernel config to keep failed pods for kubectl describe)";
        String message = "spawning agent '" + agent.name() + "' failed: pod " + podName + " in namespace " + settings.namespace()
                + ": " + reason + (events.isEmpty() ? "; no events" : "; events:\n  " + String.join("\n  ", events)) + "\n" + fate;
        return new SpawnFailedException(message, (Throwable) null);
    }

    /** The pod's events, oldest first, as "Warning Failed: message". Best effort: an error here must not hide the real one. */
    List<String> events(String podName) {
        try {
            List<Event> list = api.events()
                    .withField("involvedObject.name", podName).list().getItems();
            // API servers that ignore this field selector (the fabric8 mock matches none) get a namespace-wide
            // list, filtered here; only on the failure path, so the extra call costs nothing on a good spawn.
            if (list.isEmpty()) list = api.events().list().getItems();
            return list.stream()
                    .filter(e -> e.getInvolvedObject() != null && podName.equals(e.getInvolvedObject().getName()))
                    .sorted(Comparator.comparing(e -> e.getMetadata().getCreationTimestamp() == null ? "" : e.getMetadata().getCreationTimestamp()))
                    .map(e -> e.getType() + " " + e.getReason() + ": " + e.getMessage()
                            + (e.getCount() != null && e.getCount() > 1 ? " (x" + e.getCount() + ")" : ""))
                    .skip(Math.max(0, list.size() - EVENT_LINES))
                    .toList();
        } catch (KubernetesClientException e) {
            return List.of("(cannot list events: " + api.translate("list", "events", e).getMessage() + ")");
        }
    }

    private PodAgent connect(Agent agent, Pod pod) {
        String podName = pod.getMetadata().getName();
        if (settings.access() == Access.DIRECT) {
            String ip = pod.getStatus().getPodIP();
            if (ip == null || ip.isBlank()) throw notReady(agent, podName, "the pod is ready but has no IP");
            String host = ip.contains(":") ? "[" + ip + "]" : ip;
            return new PodAgent(agent, podName, URI.create("http://" + host + ":" + KubernetesSettings.CONTAINER_PORT), null);
        }
        LocalPortForward forward = api.call("create", "pods/portforward", () -> api.pods()
                .withName(podName).portForward(KubernetesSettings.CONTAINER_PORT, InetAddress.getLoopbackAddress(), 0));
        URI base = URI.create("http://127.0.0.1:" + forward.getLocalPort());
        try {
            checkForward(agent, podName, base, forward);
        } catch (RuntimeException e) {
            closeForward(new PodAgent(agent, podName, base, forward));
            throw e;
        }
        return new PodAgent(agent, podName, base, forward);
    }

    private Map<String, Object> typeConfig(AgentTypePlugin plugin, SpawnRequest request) {
        return plugin.runnerConfig(request.spawnInfo(), settings.hostEnv());
    }

    /**
     * Where an agent may connect: its LLM endpoint, the API server (as the kernel reaches it and as pods do,
     * through the kubernetes Service), and the config's {@code sandbox.allow}. DNS is added by the policy.
     */
    private List<AgentNetworkPolicy.Target> egressFor(Map<String, Object> typeConfig) {
        List<AgentNetworkPolicy.Target> out = new ArrayList<>();
        Object baseUrl = typeConfig.get("base_url");
        if (baseUrl != null) out.addAll(AgentNetworkPolicy.ofUrl(baseUrl.toString(), "the agent's LLM base_url"));
        out.addAll(AgentNetworkPolicy.ofUrl(api.client().getMasterUrl().toString(), "the kubeconfig's server"));
        String svcHost = settings.hostEnv().get("KUBERNETES_SERVICE_HOST");
        if (svcHost != null && !svcHost.isBlank()) {
            out.addAll(AgentNetworkPolicy.resolve(svcHost, Integer.parseInt(settings.hostEnv().getOrDefault("KUBERNETES_SERVICE_PORT", "443")),
                    "KUBERNETES_SERVICE_HOST"));
        }
        for (String entry : settings.network().allow()) out.addAll(AgentNetworkPolicy.resolve(entry, "config key 'sandbox.allow'"));
        return out.stream().distinct().toList();
    }

    /** With access: direct and the kernel in a pod, its own addresses (the only allowed ingress). */
    private List<String> kernelAddresses() {
        if (settings.access() != Access.DIRECT || !settings.hostEnv().containsKey("KUBERNETES_SERVICE_HOST")) return List.of();
        try {
            InetAddress self = InetAddress.getLocalHost();
            return self.isLoopbackAddress() ? List.of() : List.of(self.getHostAddress() + (self.getAddress().length == 4 ? "/32" : "/128"));
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Attempts at GET /health through a new port-forward before a spawn gives up on it. */
    static final int FORWARD_CHECKS = 5;

    /**
     * fabric8 opens the tunnel only when the first connection arrives, so a forbidden or unsupported
     * {@code pods/portforward} would otherwise surface at the first ask. One {@code GET /health} through it
     * (retried briefly: the tunnel may need a moment) proves the path before spawn returns.
     */
    private void checkForward(Agent agent, String podName, URI base, LocalPortForward forward) {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String last = "no answer";
        for (int i = 0; i < FORWARD_CHECKS; i++) {
            try {
                var r = http.send(java.net.http.HttpRequest.newBuilder(base.resolve(Protocol.PATH_HEALTH)).timeout(Duration.ofSeconds(5)).GET().build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) return;
                last = "HTTP " + r.statusCode();
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AgentKernelException("interrupted while checking the port-forward to pod " + podName, e);
            }
            for (Throwable t : forwardErrors(forward)) {
                KubernetesClientException k = findCause(t, KubernetesClientException.class);
                if (k != null && k.getCode() > 0) throw api.translate("create", "pods/portforward", k);
                // How fabric8 reports an API server that refused the tunnel's websocket upgrade (403, 404, ...).
                var refused = findCause(t, io.fabric8.kubernetes.client.http.WebSocketHandshakeException.class);
                if (refused != null && refused.getResponse() != null && refused.getResponse().code() >= 400) {
                    int code = refused.getResponse().code();
                    throw api.translate("create", "pods/portforward", new KubernetesClientException(
                            "the websocket upgrade for pods/" + podName + "/portforward was answered HTTP " + code, code, null));
                }
                last = t.getClass().getSimpleName() + ": " + t.getMessage();
            }
            try {
                Thread.sleep(200L * (i + 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AgentKernelException("interrupted while checking the port-forward to pod " + podName, e);
            }
        }
        throw new SpawnFailedException("spawning agent '" + agent.name() + "' failed: pod " + podName + " is ready but GET "
                + Protocol.PATH_HEALTH + " through the port-forward (access: port-forward) did not answer (" + last + "); check that the"
                + " API server allows pods/portforward (kubectl -n " + settings.namespace() + " port-forward pod/" + podName + " 8080), or use"
                + " access: direct when the kernel runs inside the cluster; the pod was deleted", (Throwable) null);
    }

    private static List<Throwable> forwardErrors(LocalPortForward forward) {
        List<Throwable> out = new ArrayList<>(forward.getClientThrowables());
        out.addAll(forward.getServerThrowables());
        return out;
    }

    private static <T extends Throwable> T findCause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) return type.cast(c);
        }
        return null;
    }

    private static void checkEnv(Map<String, String> env) {
        for (String key : env.keySet()) {
            if (!ENV_NAME.matcher(key).matches()) {
                throw new InvalidRequestException("SpawnRequest.env has the name '" + key + "', which is not a valid environment"
                        + " variable name for a pod; use letters, digits and '_', not starting with a digit");
            }
            if (key.equals(RunnerConfig.ENV_NONCE)) {
                throw new InvalidRequestException("SpawnRequest.env must not set " + RunnerConfig.ENV_NONCE + "; the kernel sets it");
            }
        }
    }

    /**
     * What goes into the Secret and from there into the container's environment. The host's OpenAI key only for an
     * agent whose provider is openai; the runner scrubs the keys and the nonce from its tools' environment, except
     * what the request passed (config {@code user_env}).
     */
    /** Names a pod reaches inside the cluster, added to the forwarded NO_PROXY. */
    static final List<String> IN_CLUSTER_NO_PROXY = List.of(".svc", ".cluster.local", "kubernetes.default");

    private Map<String, String> secretEnv(Map<String, String> requestEnv, String nonce, String apiKey, String provider) {
        Map<String, String> env = new LinkedHashMap<>(requestEnv);
        String openAi = settings.hostEnv().get(AgentObjects.OPENAI_KEY_ENV);
        if ("openai".equalsIgnoreCase(provider == null ? "" : provider.trim()) && openAi != null && !openAi.isEmpty()) {
            env.putIfAbsent(AgentObjects.OPENAI_KEY_ENV, openAi);
        }
        // The kernel's corporate proxy, for the runner's LLM client and the tools (issue 16.8), in the Secret since a
        // proxy URL may hold credentials. Cluster-internal names never go through it.
        dev.agentkernel.protocol.net.ProxyEnv proxy = dev.agentkernel.spawn.HostProxy.of(settings.hostEnv());
        if (proxy.isSet()) {
            List<String> internal = new java.util.ArrayList<>(IN_CLUSTER_NO_PROXY);
            String apiServer = settings.hostEnv().get("KUBERNETES_SERVICE_HOST");
            if (apiServer != null) internal.add(apiServer);
            proxy.bypassing(internal).toEnv().forEach(env::putIfAbsent);
        }
        if (!apiKey.isEmpty()) env.put(AgentObjects.API_KEY_ENV, apiKey);
        env.put(RunnerConfig.ENV_NONCE, nonce);
        return env;
    }

    /** The ConfigMap's config.json: the type's fields plus ours, with no nonce and no API key. */
    private String runnerConfig(Map<String, Object> typeConfig, Agent agent, SpawnRequest request, List<String> bundles) {
        RunnerConfig.Builder config = RunnerConfig.builder(typeConfig)
                .without(RunnerConfig.API_KEY, RunnerConfig.NONCE, RunnerConfig.OWNER_PID)
                .agentId(agent.id())
                .name(agent.name())
                .agentType(agent.agentType())
                .httpPort(KubernetesSettings.CONTAINER_PORT)
                .bindAddress("0.0.0.0")
                .workspace(AgentObjects.WORKSPACE)
                .stateDir(AgentObjects.STATE_DIR)
                .userEnv(request.env().keySet());
        if (!bundles.isEmpty()) {
            // Where the image holds them; the pod's init container links workspace/bundles to their parent.
            config.bundles(bundles.stream().map(b -> AgentObjects.BUNDLES_DIR + "/" + b).toList());
        }
        AgentBusConfig bus = request.agentbus();
        if (bus != null) {
            int busPort = bus.port() == 0 ? KubernetesSettings.CONTAINER_PORT + 15 : bus.port();
            config.agentbus(busPort, bus.disableSafety(), bus.voters(), bus.policy(), bus.voteTimeout().toMillis(), bus.llmVoter());
        }
        try {
            return new String(config.toJsonBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidRequestException("the runner config cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    private void deleteQuietly(String podName) {
        // The owner references may not be set yet, so the ConfigMap and Secret are deleted by name too.
        for (Runnable delete : List.<Runnable>of(
                () -> api.pods().withName(podName).delete(),
                () -> api.configMaps().withName(PodNames.configMap(podName)).delete(),
                () -> api.secrets().withName(PodNames.secret(podName)).delete())) {
            try {
                delete.run();
            } catch (KubernetesClientException ignored) {
                // Best effort; the spawn error matters more, and cleanup_k8s.sh finds leftovers by label.
            }
        }
    }

    // ---------------------------------------------------------------- kill

    @Override
    public CompletableFuture<Void> kill(String agentId) {
        return table.kill(agentId, a -> {
            closeForward(a);
            // The ConfigMap and Secret go with the pod (owner references).
            api.run("delete", "pods", () -> api.pods().withName(a.podName).withGracePeriod(3).delete());
        });
    }

    private static void closeForward(PodAgent a) {
        if (a.forward == null) return;
        try {
            a.forward.close();
        } catch (IOException ignored) {
            // The local listener is gone either way.
        }
    }

    /** The pod vanished (deleted from outside, evicted): the agent is FAILED until someone kills it. */
    private void podGone(String agentId) {
        PodAgent a = table.get(agentId);
        if (a != null) a.failIfRunning();
    }

    // ---------------------------------------------------------------- queries (teams, agents(), agent(): TabledBackend)

    @Override
    public AgentEndpoint endpoint(String agentId) {
        PodAgent a = table.require(agentId);
        return new AgentEndpoint(agentId, a.agent().name(), a.baseUri, () -> tracker.isRunning(agentId));
    }

    /** One list call with this kernel's label selector, however many agents there are. */
    @Override
    public CompletableFuture<List<AgentStatus>> status() {
        return table.async(() -> {
            List<Pod> pods = api.call("list", "pods", () -> api.pods()
                    .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).withLabel(Labels.KERNEL, kernelId).list().getItems());
            Map<String, Pod> byAgent = new HashMap<>();
            for (Pod p : pods) byAgent.put(p.getMetadata().getLabels().get(Labels.AGENT_ID), p);
            List<AgentStatus> out = new ArrayList<>();
            for (PodAgent a : table.entries()) {
                Pod pod = byAgent.get(a.id());
                String phase = pod == null ? "Deleted"
                        : pod.getMetadata().getDeletionTimestamp() != null ? "Terminating"
                        : pod.getStatus() == null ? "Pending" : pod.getStatus().getPhase();
                boolean live = PodVerdict.isRunning(pod) && PodVerdict.isReady(pod);
                if (!PodVerdict.isRunning(pod)) a.failIfRunning();
                Agent agent = a.agent();
                out.add(new AgentStatus(agent.id(), agent.name(), agent.teamId(), agent.state(), live, phase, null, agent.detached()));
            }
            return out;
        });
    }

    // ---------------------------------------------------------------- shutdown

    @Override
    public CompletableFuture<Void> cleanup() { return table.cleanup(this::kill); }

    /**
     * For the kernel's shutdown hook (pods are not children of this JVM: without it they would outlive a program
     * that exits without close()): one delete of every non-detached pod this kernel started, bounded to 3 s
     * whatever {@code grace} says, since the pods' own grace runs on the cluster.
     */
    @Override
    public void stopAllNow(Duration grace) {
        if (table.isEmpty()) return;
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                api.pods().withLabel(Labels.KERNEL, kernelId)
                        .withoutLabel(Labels.DETACHED).delete();
                lease.close();
            } catch (RuntimeException ignored) {
                // Exiting; scripts/cleanup_k8s.sh finds whatever is left by label.
            }
        });
        try {
            t.join(Duration.ofSeconds(3));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        table.entries().forEach(KubernetesBackend::closeForward);
        // Wakes spawns waiting for their pod; they see closed, delete their objects and end.
        tracker.close();
        awaitSpawnsInFlight();
        table.shutdown(Duration.ZERO);
        lease.close();
        if (ownsClient) api.client().close();
    }

    private void awaitSpawnsInFlight() {
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        synchronized (inFlight) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return;
                try {
                    inFlight.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
