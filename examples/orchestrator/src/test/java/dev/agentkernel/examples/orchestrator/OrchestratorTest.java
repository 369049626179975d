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
