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

    /** {@code sandboxKernel()} is a tracked sandbox kernel whose agents answer through the relay and proxy. */
    @Test
    void sandboxKernelIsTrackedAndItsAgentsWork() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(RealAgents.runnerBuilt(), "the runner is not built");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/bwrap")), "no bubblewrap");
        try (dev.agentkernel.fakellm.FakeLlmServer llm = dev.agentkernel.fakellm.FakeLlmServer.start(0)) {
            useLlm(llm.anthropicBaseUrl(), "test-key");
            var kernel = sandboxKernel();
            java.nio.file.Path agentDir = null;
            try {
                assertEquals("sandbox", kernel.backend());
                assertTrue(Session.kernels().contains(kernel), "tracked");
                assertTrue(kernel.config().sandbox().isolated(), "isolated network by default");
                SpawnResult agent = spawn(kernel, "boxed", openclaw("You are boxed."));
                agentDir = kernel.stateDir().resolve("agents").resolve(agent.agent().id());
                assertEquals("Echo: hello", ask(kernel, agent, "hello"));
                Session.closeAll();
                assertFalse(Session.kernels().contains(kernel), "closed with the session");
                assertTrue(kernel.spawner().agents().isEmpty());
            } finally {
                kernel.close();
                useLlm(null, null);
                // The default state dir is the user's: leave nothing of this test in it (close() removes agent
                // directories unless asked to keep them; this is for a close that failed half way).
                if (agentDir != null && java.nio.file.Files.exists(agentDir)) {
                    try (var files = java.nio.file.Files.walk(agentDir)) {
                        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
            }
        }
    }
}
