package dev.agentkernel.cli;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.examples.LlmSetup;
import dev.agentkernel.examples.SimpleAgent;
import dev.agentkernel.examples.TeamScenario;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The examples end to end, offline: a real local kernel spawning real runner processes that call the
 * scripted LLM server over loopback HTTP.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExamplesIT {

    @TempDir Path stateDir;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String output() { return bytes.toString(StandardCharsets.UTF_8); }

    private AgentKernel kernel() {
        return AgentKernel.builder().backend("local").plugin(new OpenClawPlugin()).stateDir(stateDir)
                .hostEnv(Map.of()).build();
    }

    @AfterEach
    void noRunnerLeft() {
        assertEquals(java.util.List.of(), RunnerProcesses.killUnder(stateDir), "runner processes left behind:\n" + output());
    }

    @Test
    void simpleAgentSpawnsAsksStreamsAndCleansUp() {
        try (LlmSetup llm = LlmSetup.offline(out); AgentKernel kernel = kernel()) {
            SimpleAgent.run(kernel, llm, out);
        }
        String text = output();
        assertTrue(text.startsWith("OFFLINE: LLM_API_KEY is not set"), text);
        assertTrue(text.matches("(?s).*Spawned: \\S+ \\(researcher\\).*"), text);
        // The scripted server asked for a bash call; the runner ran it in the agent's workspace.
        assertTrue(text.contains("[tool call] bash {\"command\":\"ls -la\"}"), text);
        assertTrue(text.contains("[tool result] total"), text);
        assertTrue(text.contains("Tool result: total"), text);
        // The streamed turn is the scripted echo of the follow-up question.
        assertTrue(text.contains("Echo: Summarise that in two sentences."), text);
        assertTrue(text.contains("[user] Summarise that in two sentences."), text);
        assertTrue(text.contains("[assistant] Echo: Summarise that in two sentences."), text);
        assertTrue(text.matches("(?s).*pid=\\d+  cwd=\\S*workspace\\S*  uid=\\d+.*"), text);
        assertTrue(text.contains("researcher: state=RUNNING live=true process_alive=true"), text);
        assertTrue(text.contains("Killed "), text);
        assertTrue(text.contains("Done: every agent this kernel started is stopped."), text);
    }

    /** {@code bin/agentkernel example orchestrator}: the model's helpers blocks run in this process's JShell session. */
    @Test
    void orchestratorRunsItsModelsBlocksAndWritesTheSynthesis() throws Exception {
        CliRun run = CliRun.of(Map.of("AGENTKERNEL_HOME", stateDir.toString()), "example", "orchestrator");
        assertEquals(0, run.exitCode(), run.err() + run.out());
        assertTrue(run.out().contains("── its blocks ran ──\nspawned researcher and analyst"), run.out());
        Path synthesis = stateDir.resolve("orchestrator/synthesis.md");
        assertTrue(run.out().contains("synthesis: " + synthesis), run.out());
        String text = java.nio.file.Files.readString(synthesis);
        assertTrue(text.contains("Echo: Find papers on quantum error correction"), text);
        assertTrue(text.contains("Echo: Run a cost-benefit analysis of approach X"), text);
    }

    @Test
    void teamScenarioFansOutPipelinesAndHitsCapacity() {
        try (LlmSetup llm = LlmSetup.offline(out); AgentKernel kernel = kernel()) {
            TeamScenario.run(kernel, llm, out);
        }
        String text = output();
        assertTrue(text.contains("Research: Found 3 papers: **surface codes**"), text);
        assertTrue(text.contains("cost=3 benefit=5 ratio=1.67"), text);
        assertTrue(text.contains("Raw data: data: a=1, b=2, c=3"), text);
        assertTrue(text.contains("Analysis: Echo: Analyze this data:\ndata: a=1, b=2, c=3"), text);
        assertTrue(text.contains("TeamCapacityException: "), text);
        assertTrue(!text.contains("UNEXPECTED"), text);
        assertTrue(text.contains("Deleted analysis-team"), text);
        // The packaged worker ran the bundle's script from bundles/my_helpers/ in its own workspace.
        assertTrue(text.contains("Worker: "), text);
        assertTrue(text.contains("Tool result: " + TeamScenario.GREETING), text);
    }

    @Test
    void demoSaysFirstThingThatItIsOffline() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"demo", "--state-dir", stateDir.toString()}, Map.of(), out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = output();
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8) + text);
        assertTrue(text.lines().findFirst().orElse("").startsWith("OFFLINE:"), text);
        assertTrue(text.contains("export LLM_API_KEY="), text);
        assertTrue(text.contains("[tool call] bash"), text);
    }
}
