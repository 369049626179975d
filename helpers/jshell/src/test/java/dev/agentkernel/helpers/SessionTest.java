package dev.agentkernel.helpers;

import dev.agentkernel.SpawnResult;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static dev.agentkernel.helpers.Helpers.*;
import static org.junit.jupiter.api.Assertions.*;

class SessionTest {

    @Test
    void closeAllKillsTheAgentsOfTrackedKernels() throws Exception {
        try (RealAgents real = RealAgents.start()) {
            assertSame(real.kernel, Session.track(real.kernel));
            Session.track(real.kernel);
            assertEquals(1, Session.kernels().stream().filter(k -> k == real.kernel).count(), "tracked once");
            SpawnResult agent = spawn(real.kernel, "doomed", openclaw("You will be stopped."));
            long pid = info(real.kernel, agent).pid();
            ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
            assertTrue(process.isAlive());

            Session.closeAll();

            process.onExit().get(10, TimeUnit.SECONDS);
            assertFalse(process.isAlive(), "the agent process is gone");
            assertFalse(Session.kernels().contains(real.kernel), "closed kernels are forgotten");
        }
    }
}
