package dev.agentkernel.spawn.k8s;

import dev.agentkernel.AgentKernelException;
import dev.agentkernel.config.KernelConfig;
import dev.agentkernel.config.KernelConfigLoader;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Finds and deletes every pod, configmap, secret and lease labelled {@code app.kubernetes.io/managed-by=agentkernel}
 * in the configured namespace: what a kernel that died without cleanup left behind. Behind
 * {@code scripts/cleanup_k8s.sh [--dry-run]} and usable from the CLI ({@link #run}).
 */
public final class ClusterCleanup {

    /** One object found: its kind (plural resource), name and agent id label (may be null). */
    public record Found(String resource, String name, String agentId) {
        @Override
        public String toString() { return resource + "/" + name + (agentId == null ? "" : " (agent " + agentId + ")"); }
    }

    private final KubeApi api;

    public ClusterCleanup(KubernetesClient client, String namespace) {
        this.api = new KubeApi(client, namespace);
    }

    /** Every managed object, pods first. */
    public List<Found> find() {
        List<Found> out = new ArrayList<>();
        add(out, "pods", () -> api.pods().withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).list().getItems());
        add(out, "configmaps", () -> api.configMaps().withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).list().getItems());
        add(out, "secrets", () -> api.secrets().withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).list().getItems());
        add(out, "leases", () -> api.leases().withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).list().getItems());
        add(out, "serviceaccounts", () -> api.serviceAccounts().withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).list().getItems());
        add(out, "roles", () -> api.roles().withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).list().getItems());
        add(out, "rolebindings", () -> api.roleBindings().withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).list().getItems());
        add(out, "networkpolicies", () -> api.networkPolicies().withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).list().getItems());
        return out;
    }

    private void add(List<Found> out, String resource, Supplier<List<? extends HasMetadata>> list) {
        for (HasMetadata m : api.call("list", resource, list)) {
            Map<String, String> labels = m.getMetadata().getLabels();
            out.add(new Found(resource, m.getMetadata().getName(), labels == null ? null : labels.get(Labels.AGENT_ID)));
        }
    }

    /** Deletes what {@link #find()} lists (one delete per kind, by label) and returns it. */
    public List<Found> deleteAll() {
        List<Found> found = find();
        if (found.stream().anyMatch(f -> f.resource().equals("pods")))
            api.run("deletecollection", "pods", () -> api.pods().withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).withGracePeriod(0).delete());
        if (found.stream().anyMatch(f -> f.resource().equals("configmaps")))
            api.run("deletecollection", "configmaps", () -> api.configMaps().withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).delete());
        if (found.stream().anyMatch(f -> f.resource().equals("secrets")))
            api.run("deletecollection", "secrets", () -> api.secrets().withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).delete());
        if (found.stream().anyMatch(f -> f.resource().equals("leases")))
            api.run("deletecollection", "leases", () -> api.leases().withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).delete());
        if (found.stream().anyMatch(f -> f.resource().equals("serviceaccounts")))
            api.run("deletecollection", "serviceaccounts", () -> api.serviceAccounts().withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).delete());
        if (found.stream().anyMatch(f -> f.resource().equals("roles")))
            api.run("deletecollection", "roles", () -> api.roles().withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).delete());
        if (found.stream().anyMatch(f -> f.resource().equals("rolebindings")))
            api.run("deletecollection", "rolebindings", () -> api.roleBindings().withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).delete());
        if (found.stream().anyMatch(f -> f.resource().equals("networkpolicies")))
            api.run("deletecollection", "networkpolicies", () -> api.networkPolicies().withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).delete());
        return found;
    }

    /**
     * The owner Leases that have not been renewed within their {@code leaseDurationSeconds} (as of this
     * machine's clock), and the pods bound to them or to a Lease that no longer exists: what kernels that died
     * or hang left behind, while the pods of live kernels (and detached pods, which hold no Lease) are spared.
     * Configmaps and secrets of those pods are listed too (the cluster's garbage collector would also remove them).
     */
    public List<Found> findExpired() {
        java.time.ZonedDateTime now = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC);
        Map<String, io.fabric8.kubernetes.api.model.coordination.v1.Lease> leases = new java.util.HashMap<>();
        for (var l : api.call("list", "leases", () -> api.leases()
                .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).list().getItems())) {
            leases.put(l.getMetadata().getName(), l);
        }
        java.util.Set<String> expired = new java.util.TreeSet<>();
        leases.forEach((name, l) -> {
            var spec = l.getSpec();
            java.time.ZonedDateTime renewed = spec == null ? null : spec.getRenewTime() != null ? spec.getRenewTime() : spec.getAcquireTime();
            int seconds = spec == null || spec.getLeaseDurationSeconds() == null ? OwnerLease.DEFAULT_TIMEOUT_SECONDS : spec.getLeaseDurationSeconds();
            if (renewed == null || renewed.plusSeconds(seconds).isBefore(now)) expired.add(name);
        });
        List<Found> out = new ArrayList<>();
        List<String> agentIds = new ArrayList<>();
        for (var pod : api.call("list", "pods", () -> api.pods()
                .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).withLabel(OwnerLease.LABEL).list().getItems())) {
            String owner = pod.getMetadata().getLabels().get(OwnerLease.LABEL);
            if (expired.contains(owner) || !leases.containsKey(owner)) {
                String agentId = pod.getMetadata().getLabels().get(Labels.AGENT_ID);
                out.add(new Found("pods", pod.getMetadata().getName(), agentId));
                if (agentId != null) agentIds.add(agentId);
            }
        }
        for (String id : agentIds) {
            add(out, "configmaps", () -> api.configMaps().withLabel(Labels.AGENT_ID, id).list().getItems());
            add(out, "secrets", () -> api.secrets().withLabel(Labels.AGENT_ID, id).list().getItems());
        }
        for (String name : expired) {
            // The pods' identity made by that kernel (named like its Lease, owned by it): gone with the Lease.
            for (String kind : List.of("serviceaccounts", "roles", "rolebindings")) {
                add(out, kind, () -> byName(kind, name));
            }
            out.add(new Found("leases", name, null));
        }
        return out;
    }

    private List<? extends HasMetadata> byName(String kind, String name) {
        HasMetadata m = switch (kind) {
            case "serviceaccounts" -> api.serviceAccounts().withName(name).get();
            case "roles" -> api.roles().withName(name).get();
            default -> api.roleBindings().withName(name).get();
        };
        boolean ours = m != null && m.getMetadata().getLabels() != null
                && Labels.MANAGED_BY_VALUE.equals(m.getMetadata().getLabels().get(Labels.MANAGED_BY));
        return ours ? List.of(m) : List.of();
    }

    /** Deletes what {@link #findExpired()} lists, one object at a time, and returns it. */
    public List<Found> deleteExpired() {
        List<Found> found = findExpired();
        for (Found f : found) {
            switch (f.resource()) {
                case "pods" -> api.run("delete", "pods", () -> api.pods().withName(f.name()).withGracePeriod(0).delete());
                case "configmaps" -> api.run("delete", "configmaps", () -> api.configMaps().withName(f.name()).delete());
                case "secrets" -> api.run("delete", "secrets", () -> api.secrets().withName(f.name()).delete());
                case "leases" -> api.run("delete", "leases", () -> api.leases().withName(f.name()).delete());
                case "serviceaccounts" -> api.run("delete", "serviceaccounts", () -> api.serviceAccounts().withName(f.name()).delete());
                case "roles" -> api.run("delete", "roles", () -> api.roles().withName(f.name()).delete());
                case "rolebindings" -> api.run("delete", "rolebindings", () -> api.roleBindings().withName(f.name()).delete());
                default -> throw new IllegalStateException("unexpected " + f);
            }
        }
        return found;
    }

    /** Lists (dry run) or deletes, printing one line per object; returns what it found. */
    public static List<Found> run(KernelConfig config, boolean dryRun, PrintStream out) {
        return run(config, dryRun, false, out);
    }

    /**
     * Lists (dry run) or deletes every managed object, or with {@code expiredOnly} only those of kernels whose
     * owner Lease expired ({@link #findExpired()}); prints one line per object and returns what it found.
     */
    public static List<Found> run(KernelConfig config, boolean dryRun, boolean expiredOnly, PrintStream out) {
        try (KubernetesClient client = KubeClients.create(config.kubeconfig())) {
            String ns = KubernetesSettings.from(config, client.getNamespace(), Map.of(), Duration.ofSeconds(1)).namespace();
            ClusterCleanup cleanup = new ClusterCleanup(client, ns);
            List<Found> found = expiredOnly ? (dryRun ? cleanup.findExpired() : cleanup.deleteExpired())
                    : (dryRun ? cleanup.find() : cleanup.deleteAll());
            for (Found f : found) out.println((dryRun ? "would delete " : "deleted ") + f);
            out.println((dryRun ? "dry run: " : "") + found.size() + " object(s) "
                    + (expiredOnly ? "of kernels whose owner lease expired" : "labelled " + Labels.managedSelector())
                    + " in namespace " + ns + " at " + client.getMasterUrl());
            return found;
        }
    }

    /** {@code --config FILE [--dry-run]}. Exit code 0 done, 2 bad usage or config, 1 API error. */
    public static void main(String[] args) {
        Path config = null;
        boolean dryRun = false;
        boolean expiredOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dry-run" -> dryRun = true;
                case "--expired" -> expiredOnly = true;
                case "--config" -> {
                    if (i + 1 >= args.length) usage("--config needs a file");
                    config = Path.of(args[++i]);
                }
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> usage("unknown argument '" + args[i] + "'");
            }
        }
        if (config == null) usage("--config FILE is required (e.g. examples/agentkernel.yaml)");
        try {
            run(KernelConfigLoader.load(config), dryRun, expiredOnly, System.out);
        } catch (KubernetesApiException e) {
            System.err.println("cleanup failed: " + e.getMessage());
            System.exit(1);
        } catch (AgentKernelException e) {
            System.err.println("cleanup failed: " + e.getMessage());
            System.exit(2);
        }
    }

    static final String USAGE = "usage: cleanup_k8s.sh [--dry-run] [--expired]   (ClusterCleanup --config FILE [--dry-run] [--expired])\n"
            + "  deletes every pod, configmap, secret and lease labelled " + Labels.managedSelector() + " in the config's namespace;\n"
            + "  --expired: only the pods (and their objects) of kernels whose owner lease expired, and those leases";

    private static void usage(String problem) {
        System.err.println(problem + "\n" + USAGE);
        System.exit(2);
    }
}
