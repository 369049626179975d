package dev.agentkernel.e2e;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.AgentStatus;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.fakellm.FakeLlmServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
    @TempDir static Path tmp;
    static FakeLlmServer llm;
    static AgentKernel kernel;

    @BeforeAll
    static void start() throws Exception {
        llm = FakeLlmServer.start(0);
        Path runner = script(tmp, "short-idle-runner.sh", "exec '" + java() + "' -Dsun.net.httpserver.idleInterval=1"
                + " -Dsun.net.httpserver.clockTick=100 -cp '" + runnerJar() + "' " + OpenClawPlugin.RUNNER_MAIN + " \"$@\"\n");
        kernel = E2e.kernel(tmp.resolve("state"), Map.of(OpenClawPlugin.RUNNER_BIN_ENV, runner.toString()));
    }

    @AfterAll
    static void stop() {
        if (kernel != null) kernel.close();
        if (llm != null) llm.close();
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
