package dev.agentkernel.e2e;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.AgentStatus;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.fakellm.junit.FakeLlm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.agentkernel.e2e.E2e.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 17.1: a healthy agent must read live after its runner's HTTP server closed the kernel's idle pooled
 * connections. The runner here closes idle connections after 1 s (the JDK server's own idle timer, 30 s by
 * default), so the test idles past it in seconds instead of a minute.
 */
@Timeout(120)
class IdleConnectionE2eTest {
    @FakeLlm static FakeLlmServer llm;
    @Kernel("shortIdleKernel") static AgentKernel kernel;

    /** A kernel whose runners close idle connections after 1 s; the wrapper script sits next to the state dir. */
    static AgentKernel shortIdleKernel(Path stateDir) throws java.io.IOException {
        Path runner = script(stateDir.getParent(), "short-idle-runner.sh", "exec '" + java() + "' -Dsun.net.httpserver.idleInterval=1"
                + " -Dsun.net.httpserver.clockTick=100 -cp '" + runnerJar() + "' " + OpenClawPlugin.RUNNER_MAIN + " \"$@\"\n");
        return E2e.kernel(stateDir, Map.of(OpenClawPlugin.RUNNER_BIN_ENV, runner.toString()));
    }

    @Test
    void anIdleAgentIsLiveOnTheFirstStatusAndAnswersOnTheFirstCall() throws Exception {
        SpawnResult agent = spawn(kernel, "idler", llm);
        String id = agent.agent().id();
        for (int round = 0; round < 3; round++) {
            // every kind of pooled connection is now idle: the health probe's, the calls' and the turn's
            assertEquals("Echo: hi " + round, kernel.agentClient().ask(id, agent.nonce(), "hi " + round));
            assertFalse(kernel.agentClient().getHistory(id, 1).join().isEmpty());
            assertTrue(live(kernel.status().join(), id), "live before idling");
            Thread.sleep(2500); // past the runner's 1 s idle timeout and its 100 ms timer
            List<AgentStatus> after = kernel.status().join();
            assertTrue(live(after, id), "an idle, healthy agent must read live on the first status(): " + after);
            assertEquals(id, kernel.agentClient().getInfo(id).join().agentId(), "info after idling");
            Thread.sleep(2500);
            assertFalse(kernel.agentClient().getHistory(id, 2).join().isEmpty(), "history after idling");
            Thread.sleep(2500);
            assertEquals("Echo: again " + round, kernel.agentClient().ask(id, agent.nonce(), "again " + round),
                    "a turn after idling");
            Thread.sleep(2500);
        }
    }

    private static boolean live(List<AgentStatus> statuses, String id) {
        return statuses.stream().filter(s -> s.agentId().equals(id)).findFirst().orElseThrow().live();
    }
}
