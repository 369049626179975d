package dev.agentkernel.spawn.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One watch (an informer: a list, then a watch stream) on this kernel's pods. Spawns wait on it for their pod
 * to become ready instead of polling, and endpoints read liveness from it without an API call. A pod deleted
 * behind the kernel's back is reported through {@code onGone}.
 */
final class PodTracker implements AutoCloseable {

    private final Map<String, Pod> pods = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<PodVerdict>> waiters = new ConcurrentHashMap<>();
    private final Consumer<String> onGone;
    private final SharedIndexInformer<Pod> informer;

    PodTracker(KubeApi api, String kernelId, Consumer<String> onGone) {
        this.onGone = onGone;
        this.informer = api.call("watch", "pods", () -> api.pods()
                .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
                .withLabel(Labels.KERNEL, kernelId)
                .inform(new Handler(), 0));
    }

    private final class Handler implements ResourceEventHandler<Pod> {
        @Override
        public void onAdd(Pod pod) { seen(pod); }

        @Override
        public void onUpdate(Pod oldPod, Pod pod) { seen(pod); }

        @Override
        public void onDelete(Pod pod, boolean finalStateUnknown) {
            String id = agentId(pod);
            if (id == null) return;
            pods.remove(id);
            settle(id, PodVerdict.of(null));
            onGone.accept(id);
        }
    }

    private void seen(Pod pod) {
        String id = agentId(pod);
        if (id == null) return;
        pods.put(id, pod);
        PodVerdict verdict = PodVerdict.of(pod);
        if (verdict.kind() != PodVerdict.Kind.PENDING) settle(id, verdict);
    }

    private void settle(String agentId, PodVerdict verdict) {
        CompletableFuture<PodVerdict> waiter = waiters.remove(agentId);
        if (waiter != null) waiter.complete(verdict);
    }

    private static String agentId(Pod pod) {
        return pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(Labels.AGENT_ID);
    }

    /**
     * Completes when the agent's pod is ready, failed or deleted. Register before creating the pod, so no
     * status change can slip between the create and the wait.
     */
    CompletableFuture<PodVerdict> awaitSettled(String agentId) {
        CompletableFuture<PodVerdict> f = new CompletableFuture<>();
        waiters.put(agentId, f);
        Pod current = pods.get(agentId);
        if (current != null) {
            PodVerdict v = PodVerdict.of(current);
            if (v.kind() != PodVerdict.Kind.PENDING) settle(agentId, v);
        }
        return f;
    }

    void forget(String agentId) {
        waiters.remove(agentId);
    }

    Optional<Pod> pod(String agentId) { return Optional.ofNullable(pods.get(agentId)); }

    boolean isRunning(String agentId) { return PodVerdict.isRunning(pods.get(agentId)); }

    @Override
    public void close() {
        informer.close();
        waiters.values().forEach(f -> f.cancel(false));
        waiters.clear();
    }
}
