package dev.agentkernel.spawn.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class PodVerdictTest {
    static PodBuilder pod() { return new PodBuilder().withNewMetadata().withName("p").endMetadata(); }

    @Test
    void readyConditionMeansReady() {
        Pod p = pod().withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
        assertEquals(PodVerdict.Kind.READY, PodVerdict.of(p).kind());
        assertTrue(PodVerdict.isRunning(p));
    }

    @Test
    void pendingWithoutReasonKeepsWaiting() {
        Pod p = pod().withNewStatus().withPhase("Pending").endStatus().build();
        assertEquals(PodVerdict.Kind.PENDING, PodVerdict.of(p).kind());
        assertEquals(PodVerdict.Kind.GONE, PodVerdict.of(null).kind());
    }

    @Test
    void crashLoopCarriesTheLastExitCode() {
        Pod p = pod().withNewStatus().withPhase("Running").addNewContainerStatus().withName("runner").withRestartCount(3)
                .withNewState().withNewWaiting().withReason("CrashLoopBackOff").withMessage("back-off 40s").endWaiting().endState()
                .withNewLastState().withNewTerminated().withExitCode(2).withReason("Error").endTerminated().endLastState()
                .endContainerStatus().endStatus().build();
        PodVerdict v = PodVerdict.of(p);
        assertEquals(PodVerdict.Kind.FAILED, v.kind());
        assertTrue(v.reason().contains("CrashLoopBackOff") && v.reason().contains("exited with code 2"), v.reason());
    }

    @Test
    void unschedulableIsFatal() {
        Pod p = pod().withNewStatus().withPhase("Pending").addNewCondition().withType("PodScheduled").withStatus("False")
                .withReason("Unschedulable").withMessage("0/3 nodes are available: 3 Insufficient memory.").endCondition().endStatus().build();
        PodVerdict v = PodVerdict.of(p);
        assertEquals(PodVerdict.Kind.FAILED, v.kind());
        assertTrue(v.reason().contains("Insufficient memory"), v.reason());
    }

    @Test
    void imagePullBackOffIsFatal() {
        Pod p = pod().withNewStatus().withPhase("Pending").addNewContainerStatus().withName("runner")
                .withNewState().withNewWaiting().withReason("ImagePullBackOff").withMessage("Back-off pulling image \"x\"").endWaiting().endState()
                .endContainerStatus().endStatus().build();
        assertTrue(PodVerdict.of(p).reason().contains("ImagePullBackOff"));
    }
}
