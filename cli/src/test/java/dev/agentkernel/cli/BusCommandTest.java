package dev.agentkernel.cli;

import dev.agentkernel.AgentBusConfig;
import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.fakellm.FakeLlmServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** {@code bus tail} against a real local agent, and {@code example agentbus_demo} offline. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BusCommandTest {
    @TempDir Path stateDir;

    @AfterEach
    void noRunnerLeft() {
        assertEquals(List.of(), RunnerProcesses.killUnder(stateDir), "runner processes left behind");
    }

    @Test
    void tailPrintsALocalAgentsLogFromItsStateDir() {
        try (FakeLlmServer llm = FakeLlmServer.start(0);
             AgentKernel kernel = AgentKernel.builder().backend("local").plugin(new OpenClawPlugin()).stateDir(stateDir)
                     .hostEnv(Map.of()).build()) {
            SpawnResult r = kernel.spawner().spawn(SpawnRequest.builder().name("tailed")
                    .spawnInfo(OpenClawSpawnInfo.builder().apiKey("k").baseUrl(llm.anthropicBaseUrl()).build())
                    .agentbus(AgentBusConfig.builder().port(0).build()).build()).join();
            kernel.ask(r.agent().id(), r.nonce(), "[[bash: cat ~/.ssh/id_rsa]]");

            CliRun run = CliRun.of("bus", "tail", r.agent().id(), "--once", "--state-dir", stateDir.toString());
            assertEquals(0, run.exitCode(), run.err());
            assertTrue(run.out().contains("# bus tailed." + r.agent().id()), run.out());
            assertTrue(run.out().matches("(?s).*\\s2 \\S+ intention\\s+int-2 bash: cat ~/.ssh/id_rsa.*"), run.out());
            assertTrue(run.out().contains("reject by rules: rule credential-read"), run.out());
            assertTrue(run.out().contains("ABORT (first_boolean_wins)"), run.out());
            assertFalse(run.out().contains(r.nonce()), "the nonce is never printed");

            CliRun unknown = CliRun.of("bus", "tail", "no-such-agent", "--once", "--state-dir", stateDir.toString());
            assertEquals(Main.EXIT_FAILED, unknown.exitCode());
            assertTrue(unknown.err().contains("no agent at"), unknown.err());
            CliRun noNonce = CliRun.of("bus", "tail", "--url", "http://127.0.0.1:8095", "--bus-id", "a.b", "--once");
            assertEquals(Main.EXIT_USAGE, noNonce.exitCode());
            assertTrue(noNonce.err().contains("AGENTKERNEL_NONCE"), noNonce.err());
        }
    }

    @Test
    void theAgentbusDemoRunsOfflineFromTheCli() {
        CliRun run = CliRun.of("example", "agentbus_demo", "--state-dir", stateDir.toString());
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().startsWith("OFFLINE"), run.out());
        assertTrue(run.out().contains("precious.txt is still there: true"), run.out());
        assertTrue(run.out().contains("rule rm-home"), run.out());
    }
}
