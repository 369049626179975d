package dev.agentkernel.spawn.k8s;

import dev.agentkernel.protocol.OwnerLeaseEnv;
import dev.agentkernel.ConfigException;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The kernel's proof of life on Kubernetes: one {@code coordination.k8s.io/v1} Lease per kernel, named
 * {@code agentkernel-<kernel id>}, renewed every few seconds by one background thread — one API call per
 * renewal whatever the number of agents. Every non-detached pod names the Lease (label
 * {@value #LABEL} and env {@value OwnerLeaseEnv#LEASE}); the runner in the pod reads it and exits when it has not been
 * renewed for {@value OwnerLeaseEnv#TIMEOUT_SECONDS} seconds, and {@link ClusterCleanup#deleteExpired()} deletes such pods.
 * So a kernel killed with {@code kill -9} (no shutdown hook) leaves no pod running longer than the timeout.
 *
 * <p>The Lease is created at the first non-detached spawn, so a kernel that only spawns detached agents (or
 * none) costs no API calls. {@link #close()} deletes it, which the runners take as their owner's end at once.
 */
public final class OwnerLease implements AutoCloseable {
    /** Pod label naming the owner Lease (a label, so cleanup can select the pods of one Lease). */
    public static final String LABEL = "agentkernel/owner-lease";
    public static final int DEFAULT_TIMEOUT_SECONDS = 60;
    /** The Kubernetes MicroTime form. */
    static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    /** Where the pod's projected service-account files appear: the path in-cluster clients (and the runner) read. */
    public static final String SERVICE_ACCOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
    public static final String API_ACCESS_VOLUME = "kube-api-access";
    /** The ConfigMap every namespace has (published by kube-controller-manager) with the cluster CA as {@code ca.crt}. */
    public static final String ROOT_CA_CONFIGMAP = "kube-root-ca.crt";
    /**
     * The shortest lifetime the API server accepts for a projected token; the kubelet rewrites the file at 80%
     * of it and the runner reads the file before every request. No audience: the token is for the API server
     * itself, whose audiences differ between clusters (a custom one would be refused).
     */
    public static final long TOKEN_SECONDS = 600;

    private final KubeApi api;
    private final String kernelId;
    /** The pods' service account when the config names one, else null: this kernel makes its own. */
    private final String configuredServiceAccount;
    /** The Lease as last written, so a renewal is one PATCH with no GET before it. */
    private Lease held;
    private final String name;
    private final Duration timeout;
    private final Duration renewEvery;
    private final AtomicLong renewals = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private ScheduledExecutorService renewer;
    private boolean closed;

    public OwnerLease(KubeApi api, String kernelId, Duration timeout) {
        this(api, kernelId, timeout, null);
    }

    /**
     * @param serviceAccount the config's {@code service_account} (it must be allowed get/watch on leases, see
     *                       k8s/deploy/rbac.yaml), or null to let this kernel create a ServiceAccount, a Role that
     *                       allows only get/watch on this Lease, and their RoleBinding, all owned by the Lease
     */
    public OwnerLease(KubeApi api, String kernelId, Duration timeout, String serviceAccount) {
        this.configuredServiceAccount = serviceAccount;
        this.api = api;
        this.kernelId = kernelId;
        this.name = "agentkernel-" + kernelId;
        this.timeout = timeout;
        this.renewEvery = renewPeriod(timeout);
    }

    /** The timeout from the kernel's environment ({@value OwnerLeaseEnv#TIMEOUT_SECONDS}, default 60 s). */
    public static OwnerLease fromEnv(KubeApi api, String kernelId, Map<String, String> env) {
        return new OwnerLease(api, kernelId, Duration.ofSeconds(timeoutSeconds(env)));
    }

    /** Same, with the config's {@code service_account} (null: the kernel creates one). */
    public static OwnerLease fromEnv(KubeApi api, String kernelId, Map<String, String> env, String serviceAccount) {
        return new OwnerLease(api, kernelId, Duration.ofSeconds(timeoutSeconds(env)), serviceAccount);
    }

    /** The service account the bound pods run as: the configured one or this kernel's own (named like the Lease). */
    public String serviceAccount() {
        return configuredServiceAccount != null ? configuredServiceAccount : name;
    }

    static int timeoutSeconds(Map<String, String> env) {
        String v = env == null ? null : env.get(OwnerLeaseEnv.TIMEOUT_SECONDS);
        if (v == null || v.isBlank()) return DEFAULT_TIMEOUT_SECONDS;
        try {
            int s = Integer.parseInt(v.trim());
            if (s >= 2) return s;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigException(OwnerLeaseEnv.TIMEOUT_SECONDS + " must be a whole number of seconds >= 2, got '" + v
                + "'; it is how long an agent pod outlives a kernel that stopped renewing its lease");
    }

    /**
     * A third of the timeout, at most 10 s, at least 1 s: three renewals can be missed (a GC pause, a slow
     * API server) before a runner gives up. 60 s gives 10 s: 6 API calls a minute per kernel.
     */
    static Duration renewPeriod(Duration timeout) {
        long ms = Math.max(1_000, Math.min(10_000, timeout.toMillis() / 3));
        return Duration.ofMillis(ms);
    }

    public String name() { return name; }

    public Duration timeout() { return timeout; }

    public Duration renewEvery() { return renewEvery; }

    /** Renewals sent so far (each one PATCH), for the benchmark. */
    public long renewals() { return renewals.get(); }

    /**
     * The pod bound to this Lease (restart policy {@code OnFailure}, so the runner's clean exit on a lapsed
     * Lease is final). No API call: {@link #ensureHeld()} creates the Lease once the pod exists. Detached pods
     * are returned unchanged: they hold no Lease.
     */
    public Pod bind(Pod pod, boolean detached) {
        if (detached) return pod;
        return new PodBuilder(pod)
                .editMetadata().addToLabels(LABEL, name).endMetadata()
                // A crash is still restarted, but a runner that exits 0 because the lease lapsed stays down.
                .editSpec().withRestartPolicy("OnFailure")
                    .withServiceAccountName(serviceAccount())
                    // Not the default token mount: exactly what the lease watch needs, with a short-lived token.
                    .withAutomountServiceAccountToken(false)
                    .addNewVolume().withName(API_ACCESS_VOLUME).withNewProjected().withDefaultMode(0444)
                        .addNewSource().withNewServiceAccountToken().withPath("token").withExpirationSeconds(TOKEN_SECONDS).endServiceAccountToken().endSource()
                        .addNewSource().withNewConfigMap().withName(ROOT_CA_CONFIGMAP).addNewItem().withKey("ca.crt").withPath("ca.crt").endItem().endConfigMap().endSource()
                        .addNewSource().withNewDownwardAPI().addNewItem().withPath("namespace").withNewFieldRef().withFieldPath("metadata.namespace").endFieldRef().endItem().endDownwardAPI().endSource()
                    .endProjected().endVolume()
                    .editFirstContainer()
                    .addNewVolumeMount().withName(API_ACCESS_VOLUME).withMountPath(SERVICE_ACCOUNT_PATH).withReadOnly(true).endVolumeMount()
                    .addToEnv(new EnvVar(OwnerLeaseEnv.LEASE, name, null))
                    .addToEnv(new EnvVar(OwnerLeaseEnv.TIMEOUT_SECONDS, Long.toString(timeout.toSeconds()), null))
                    .addToEnv(new EnvVar(OwnerLeaseEnv.NAMESPACE, api.namespace(), null))
                .endContainer().endSpec()
                .build();
    }

    /**
     * Creates the Lease and starts renewing it, the first time only. A runner that starts before this finishes
     * counts the missing Lease as not renewed, so it has the whole timeout to appear.
     */
    public synchronized void ensureHeld() {
        if (closed) throw new dev.agentkernel.AgentKernelException("this kernel is closed; build a new AgentKernel");
        if (renewer != null) return;
        create();
        if (configuredServiceAccount == null) createAccess();
        renewer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("agentkernel-lease").factory());
        renewer.scheduleWithFixedDelay(this::renewQuietly, renewEvery.toMillis(), renewEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void create() {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        Lease lease = new LeaseBuilder()
                .withNewMetadata().withName(name)
                    .addToLabels(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).addToLabels(Labels.KERNEL, kernelId)
                .endMetadata()
                .withNewSpec().withHolderIdentity(kernelId).withLeaseDurationSeconds((int) timeout.toSeconds())
                    .withAcquireTime(now).withRenewTime(now)
                .endSpec()
                .build();
        held = api.call("create", "leases", () -> api.leases().resource(lease).create());
    }

    /**
     * The pods' own identity: a ServiceAccount, a Role allowing get and watch on this Lease only
     * ({@code resourceNames}), and the RoleBinding, all owned by the Lease so they go with it. Three calls, once
     * per kernel. The kernel needs create on serviceaccounts, roles and rolebindings, and itself get/watch on
     * leases (RBAC lets no one grant what they do not hold).
     */
    private void createAccess() {
        var owner = new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder().withApiVersion("coordination.k8s.io/v1").withKind("Lease")
                .withName(name).withUid(held.getMetadata().getUid()).withBlockOwnerDeletion(false).withController(false).build();
        var meta = new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name)
                .addToLabels(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).addToLabels(Labels.KERNEL, kernelId)
                .withOwnerReferences(owner).build();
        var sa = new io.fabric8.kubernetes.api.model.ServiceAccountBuilder().withMetadata(meta).withAutomountServiceAccountToken(false).build();
        api.call("create", "serviceaccounts", () -> api.serviceAccounts().resource(sa).create());
        var role = new io.fabric8.kubernetes.api.model.rbac.RoleBuilder().withMetadata(meta)
                .addNewRule().withApiGroups("coordination.k8s.io").withResources("leases").withResourceNames(name)
                    .withVerbs("get", "watch").endRule()
                .build();
        api.call("create", "roles", () -> api.roles().resource(role).create());
        var binding = new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder().withMetadata(meta)
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(name).endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(name).withNamespace(api.namespace()).endSubject()
                .build();
        api.call("create", "rolebindings", () -> api.roleBindings().resource(binding).create());
    }

    /**
     * One merge patch of {@code spec.renewTime} on the Lease this kernel holds (fabric8 sends no GET first when it
     * has the object); recreates the Lease if someone deleted it.
     */
    public synchronized void renew() {
        String now = MICRO_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
        try {
            Lease current = held;
            held = api.leases().resource(current)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"renewTime\":\"" + now + "\"}}");
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) throw api.translate("patch", "leases", e);
            create();
        }
        renewals.incrementAndGet();
    }

    private void renewQuietly() {
        try {
            renew();
        } catch (RuntimeException e) {
            // The runners allow three missed renewals; say so once in a while rather than on every failure.
            if (failures.getAndIncrement() % 10 == 0) {
                System.err.println("agentkernel: cannot renew owner lease " + name + " (" + e.getMessage() + "); agents stop after "
                        + timeout.toSeconds() + " s without a renewal");
            }
        }
    }

    /**
     * Stops renewing without deleting the Lease: what a kernel that hangs or is killed looks like from the
     * cluster. For tests and for a caller that wants its pods to lapse on their own.
     */
    public synchronized void stopRenewing() {
        if (renewer != null) renewer.shutdownNow();
    }

    /**
     * Stops renewing and deletes the Lease (the garbage collector takes the ServiceAccount, Role and RoleBinding
     * it owns) when no pod is bound to it any more; {@link #ensureHeld()} makes them again.
     */
    public synchronized void release() {
        if (renewer == null || closed) return;
        renewer.shutdownNow();
        renewer = null;
        api.run("delete", "leases", () -> api.leases().withName(name).delete());
    }

    /** Stops renewing and deletes the Lease: the runners stop at their next read. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (renewer == null) return;
        renewer.shutdownNow();
        try {
            api.leases().withName(name).delete();
        } catch (KubernetesClientException e) {
            // The pods lapse on their own after the timeout; cleanup_k8s.sh removes the Lease.
        }
    }
}
