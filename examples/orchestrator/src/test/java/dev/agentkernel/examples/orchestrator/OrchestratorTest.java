package dev.agentkernel.examples.orchestrator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The orchestrator example end to end, offline: a real orchestrator agent (runner process) whose model is the
 * scripted LLM answers with helpers blocks; the host runs them in the JShell session; they spawn two real worker
 * agents, fan out, and write the synthesis.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OrchestratorTest {

    @Test
    void theOrchestratorsBlocksSpawnTwoWorkersFanOutAndWriteTheSynthesis(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isRegularFile(Path.of(System.getProperty("agentkernel.runner.jar", ""))), "the runner is not built");
        Path synthesis = tmp.resolve("out/synthesis.md");
        Files.createDirectories(synthesis.getParent());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        Orchestrator.Result result = Orchestrator.run(new Orchestrator.Options("local", tmp.resolve("state"), synthesis,
                null, true), new PrintStream(printed, true, StandardCharsets.UTF_8));
        String log = printed.toString(StandardCharsets.UTF_8);
        System.out.println(log);

        // the blocks the host ran are the orchestrator agent's answer, which the scripted model gave it
        assertEquals(2, result.rounds().size(), "one round of blocks, then the final answer:\n" + log);
        Orchestrator.Round plan = result.rounds().get(0);
        assertEquals(Orchestrator.resource("plan.md").strip(), plan.answer().strip());
        assertFalse(plan.failed(), plan.blockOutput());
        assertTrue(plan.blockOutput().contains("spawned researcher and analyst"), plan.blockOutput());
        assertTrue(plan.blockOutput().contains("stopped both workers"), plan.blockOutput());
        // the model saw the output: its final answer is the one scripted for the output message
        assertEquals(Orchestrator.resource("summary.md").strip(), result.finalAnswer().strip());

        // two real workers answered (the scripted LLM echoes each one's question) and the synthesis holds both
        String text = Files.readString(synthesis);
        assertTrue(text.startsWith("# Synthesis"), text);
        assertTrue(text.contains("## Research\n\nEcho: Find papers on quantum error correction"), text);
        assertTrue(text.contains("## Analysis\n\nEcho: Run a cost-benefit analysis of approach X"), text);

        assertNoProcessLeft(tmp);
    }

    /** A block that does not compile goes back to the model with the compiler's words; its fixed blocks then run. */
    @Test
    void aFailingBlockIsSentBackAndTheModelsFixRuns(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isRegularFile(Path.of(System.getProperty("agentkernel.runner.jar", ""))), "the runner is not built");
        Path synthesis = tmp.resolve("synthesis.md");
        var model = dev.agentkernel.fakellm.FakeLlmServer.start(0)
                .whenAsked(Orchestrator.TASK_MARKER, "Let me start.\n<helpers>\nvar researcher = spawn(kernel, \"researcher\", \"no info\");\n</helpers>")
                .whenAsked("they stopped at an error", Orchestrator.resource("plan.md"))
                .whenAsked(Orchestrator.OUTPUT_MARKER, Orchestrator.resource("summary.md"));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        var result = Orchestrator.run(new Orchestrator.Options("local", tmp.resolve("state"), synthesis, null, true),
                model, java.util.Map.of(), new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertEquals(3, result.rounds().size(), printed.toString(StandardCharsets.UTF_8));
        var broken = result.rounds().get(0);
        assertTrue(broken.failed(), broken.blockOutput());
        assertTrue(broken.blockOutput().contains("Compile error at line 3"), "the model is told where: " + broken.blockOutput());
        assertFalse(result.rounds().get(1).failed(), result.rounds().get(1).blockOutput());
        assertTrue(Files.readString(synthesis).contains("Echo: Find papers on quantum error correction"));
        assertNoProcessLeft(tmp);
    }

    /** A model that never stops answering with blocks is stopped after MAX_ROUNDS, with every agent killed. */
    @Test
    void aModelThatNeverFinishesIsStoppedAfterTheRoundLimit(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isRegularFile(Path.of(System.getProperty("agentkernel.runner.jar", ""))), "the runner is not built");
        String again = "<helpers>\nspawn(kernel, \"worker\", openclaw(\"You work.\"));\n</helpers>";
        var model = dev.agentkernel.fakellm.FakeLlmServer.start(0)
                .whenAsked(Orchestrator.TASK_MARKER, again).whenAsked(Orchestrator.OUTPUT_MARKER, again);

        var e = assertThrows(dev.agentkernel.AgentKernelException.class, () -> Orchestrator.run(
                new Orchestrator.Options("local", tmp.resolve("state"), tmp.resolve("s.md"), null, true),
                model, java.util.Map.of(), new PrintStream(java.io.OutputStream.nullOutputStream())));
        assertTrue(e.getMessage().contains("after " + Orchestrator.MAX_ROUNDS + " rounds"), e.getMessage());
        assertNoProcessLeft(tmp);
    }

    @Test
    void longOutputIsCutWithANoteAndPathsBecomeJavaLiterals() {
        String clipped = Orchestrator.clip("x".repeat(Orchestrator.MAX_OUTPUT_CHARS + 10));
        assertTrue(clipped.endsWith("[output cut: 10 more characters; print less]\n"), clipped.substring(clipped.length() - 60));
        assertEquals("\"C:\\\\a \\\"b\\\"\\n\"", Orchestrator.literal("C:\\a \"b\"\n"));
    }

    /** No runner of the orchestrator or its workers outlives the run. */
    static void assertNoProcessLeft(Path dir) throws InterruptedException {
        String marker = dir.toString();
        List<String> left = List.of();
        for (int i = 0; i < 100; i++) {
            left = ProcessHandle.allProcesses()
                    .filter(p -> p.isAlive() && p.info().commandLine().orElse("").contains(marker))
                    .map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList();
            if (left.isEmpty()) return;
            Thread.sleep(100);
        }
        fail("agents of the orchestrator run are still running: " + left);
    }
}
