package dev.agentkernel.spawn.k8s;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a pod's status says about a spawn: ready, still coming up, or failed for a reason that will not fix
 * itself (bad image, crashing runner, no node fits). Read from the status the kubelet and scheduler write.
 */
public record PodVerdict(Kind kind, String reason) {

    public enum Kind { PENDING, READY, FAILED, GONE }

    /** Waiting reasons after which the container will not start without someone changing something. */
    static final Set<String> FATAL_WAITING = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull",
            "CrashLoopBackOff", "CreateContainerConfigError", "CreateContainerError", "RunContainerError");

    public static PodVerdict of(Pod pod) {
        if (pod == null) return new PodVerdict(Kind.GONE, "the pod was deleted");
        if (pod.getMetadata().getDeletionTimestamp() != null) return new PodVerdict(Kind.GONE, "the pod is being deleted");
        var status = pod.getStatus();
        if (status == null) return new PodVerdict(Kind.PENDING, "no status yet");
        if (isReady(pod)) return new PodVerdict(Kind.READY, "ready");
        String phase = status.getPhase();
        if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
            return new PodVerdict(Kind.FAILED, "the pod ended in phase " + phase + reasonSuffix(status.getReason(), status.getMessage()));
        }
        for (PodCondition c : safe(status.getConditions())) {
            if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason())) {
                return new PodVerdict(Kind.FAILED, "the pod cannot be scheduled (Unschedulable: " + c.getMessage() + ")");
            }
        }
        for (ContainerStatus cs : safe(status.getContainerStatuses())) {
            ContainerStateWaiting waiting = cs.getState() == null ? null : cs.getState().getWaiting();
            if (waiting != null && FATAL_WAITING.contains(waiting.getReason())) {
                return new PodVerdict(Kind.FAILED, "container " + cs.getName() + " is waiting: " + waiting.getReason()
                        + (waiting.getMessage() == null ? "" : " (" + waiting.getMessage() + ")") + lastTermination(cs));
            }
            ContainerStateTerminated terminated = cs.getState() == null ? null : cs.getState().getTerminated();
            if (terminated != null) {
                return new PodVerdict(Kind.FAILED, "container " + cs.getName() + " exited with code " + terminated.getExitCode()
                        + reasonSuffix(terminated.getReason(), terminated.getMessage()));
            }
        }
        return new PodVerdict(Kind.PENDING, describe(pod));
    }

    public static boolean isReady(Pod pod) {
        if (pod == null || pod.getStatus() == null) return false;
        for (PodCondition c : safe(pod.getStatus().getConditions())) {
            if ("Ready".equals(c.getType())) return "True".equals(c.getStatus());
        }
        return false;
    }

    /** Running and not on its way out: what {@code AgentEndpoint.alive} reports. */
    public static boolean isRunning(Pod pod) {
        return pod != null && pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null
                && "Running".equals(pod.getStatus().getPhase());
    }

    /** One line of the pod's state for error messages: phase, conditions that are false, container states. */
    public static String describe(Pod pod) {
        if (pod == null || pod.getStatus() == null) return "no status reported yet (not scheduled?)";
        var status = pod.getStatus();
        List<String> parts = new ArrayList<>();
        parts.add("phase " + status.getPhase());
        for (PodCondition c : safe(status.getConditions())) {
            if (!"True".equals(c.getStatus())) {
                parts.add(c.getType() + "=" + c.getStatus() + reasonSuffix(c.getReason(), c.getMessage()));
            }
        }
        for (ContainerStatus cs : safe(status.getContainerStatuses())) {
            var st = cs.getState();
            String state = st == null ? "unknown" : st.getWaiting() != null ? "waiting " + st.getWaiting().getReason()
                    : st.getTerminated() != null ? "terminated (exit " + st.getTerminated().getExitCode() + ")" : "running";
            parts.add("container " + cs.getName() + " " + state + ", restarts " + cs.getRestartCount() + lastTermination(cs));
        }
        return String.join("; ", parts);
    }

    private static String lastTermination(ContainerStatus cs) {
        ContainerStateTerminated last = cs.getLastState() == null ? null : cs.getLastState().getTerminated();
        if (last == null) return "";
        return "; last run exited with code " + last.getExitCode() + reasonSuffix(last.getReason(), last.getMessage());
    }

    private static String reasonSuffix(String reason, String message) {
        if (reason == null && message == null) return "";
        if (message == null) return " (" + reason + ")";
        return reason == null ? " (" + message + ")" : " (" + reason + ": " + message + ")";
    }

    private static <T> List<T> safe(List<T> list) {
        return list == null ? List.of() : list;
    }
}
