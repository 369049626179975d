package dev.agentkernel.helpers;

import dev.agentkernel.fakellm.FakeLlmServer;
import jdk.jshell.JShell;
import jdk.jshell.SnippetEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 17.3: Ctrl-C in {@code bin/agentkernel jshell} is {@link JShell#stop()}, which in JShell's default remote
 * engine throws an asynchronous exception into the snippet's thread (JDI). During {@code stream(...)} that used to
 * land in {@code LinkedBlockingQueue.poll} and print an IllegalMonitorStateException; now the turn is cancelled at the
 * agent, one line is printed, and the agent takes the next question.
 */
@Timeout(240)
class JShellStopTest {
    @TempDir Path tmp;

    @Test
    void stoppingASnippetDuringStreamCancelsTheTurnAndPrintsOneLine() throws Exception {
        assumeTrue(RealAgents.runnerBuilt(), "the runner is not built");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        try (FakeLlmServer llm = FakeLlmServer.start(0);
             JShell shell = JShell.builder().out(out).err(out) // the default engine: a remote JVM stopped through JDI
                     .remoteVMOptions("-Dagentkernel.runner.jar=" + System.getProperty("agentkernel.runner.jar")).build()) {
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) shell.addToClasspath(entry);
            StartupScriptTest.evalAll(shell, StartupScriptTest.startupScript());
            StartupScriptTest.evalAll(shell, "var kernel = Session.track(AgentKernel.builder().plugin(new OpenClawPlugin())"
                    + ".stateDir(Path.of(\"" + tmp.resolve("state") + "\")).build());\n"
                    + "useLlm(\"" + llm.anthropicBaseUrl() + "\", \"test-key\");\n"
                    + "var r = spawn(kernel, \"stopper\", openclaw(\"You are a test agent.\"));\n");
            for (int round = 0; round < 3; round++) {
                String marker = "4" + round + "7";
                int before = captured.size();
                CompletableFuture<List<SnippetEvent>> running = CompletableFuture.supplyAsync(
                        () -> shell.eval("stream(kernel, r, \"[[bash: sleep " + marker + "]]\");"));
                assertTrue(waitFor(() -> !sleeps(marker).isEmpty()), "the tool is running");
                List<Long> tool = sleeps(marker);
                Thread.sleep(100 * round); // land the stop at different points of the wait
                shell.stop();
                List<SnippetEvent> events = running.get(30, TimeUnit.SECONDS);
                String printed = captured.toString(StandardCharsets.UTF_8).substring(before);
                assertTrue(events.stream().allMatch(e -> e.exception() == null), "no exception surfaces: " + events + "\n" + printed);
                assertFalse(printed.contains("IllegalMonitorState") || printed.contains("Exception"), printed);
                assertEquals(1, printed.lines().filter(l -> l.startsWith("Interrupted:")).count(), "one line: " + printed);
                assertTrue(waitFor(() -> tool.stream().noneMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false))),
                        "the tool's process was killed at the agent");
                List<SnippetEvent> next = shell.eval("ask(kernel, r, \"after " + round + "\");");
                assertEquals("\"Echo: after " + round + "\"", next.getLast().value(), "the agent takes the next question: " + next);
            }
            shell.eval("Session.closeAll();");
        }
    }

    private static boolean waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }

    private static List<Long> sleeps(String arg) {
        List<Long> out = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            try {
                String cmd = Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")).replace('\0', ' ').trim();
                if (cmd.equals("sleep " + arg)) out.add(p.pid());
            } catch (Exception ignored) {
                // gone
            }
        });
        return out;
    }
}
