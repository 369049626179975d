package dev.agentkernel.runner.tools;

import dev.agentkernel.runner.model.ToolSpec;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.runner.Processes;
import dev.agentkernel.runner.model.Cancellation;
import dev.agentkernel.runner.model.TurnCancelledException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class BashToolTest {
    @TempDir
    Path workspace;
    BashTool bash;

    private BashTool bash(Duration timeout, int cap) {
        bash = new BashTool(workspace.resolve("ws"), timeout, cap);
        return bash;
    }

    @AfterEach
    void close() {
        if (bash != null) {
            bash.close();
        }
    }

    private static ObjectNode cmd(String command) {
        return JsonNodeFactory.instance.objectNode().put("command", command);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static long waitForPid(Path file) throws Exception {
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(file) && !Files.readString(file).isBlank()) {
                return Long.parseLong(Files.readString(file).trim());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no pid written to " + file);
    }

    @Test
    void extraEnvironmentIsSetForEveryCommandOnTopOfTheRunners() throws Exception {
        bash = new BashTool(workspace.resolve("ws"), Duration.ofSeconds(10), 4096,
                java.util.Map.of("AK_EXTRA", "from-runner", "HOME", "/overridden"));
        ToolResult r = bash.run(cmd("echo $AK_EXTRA $HOME; test -n \"$PATH\" && echo path-kept"), new Cancellation());
        assertFalse(r.isError(), r.output());
        assertEquals("from-runner /overridden\npath-kept\n", r.output());
    }

    @Test
    void runsInTheWorkspaceAndMergesStderr() throws Exception {
        ToolResult r = bash(Duration.ofSeconds(10), 4096).run(cmd("pwd; echo err >&2"), new Cancellation());
        assertFalse(r.isError());
        assertEquals(workspace.resolve("ws").toRealPath() + "\nerr\n", r.output());
    }

    @Test
    void nonZeroExitIsAnErrorWithTheCode() {
        ToolResult r = bash(Duration.ofSeconds(10), 4096).run(cmd("echo partial; exit 7"), new Cancellation());
        assertTrue(r.isError());
        assertEquals("partial\n[exit code 7]", r.output());
    }

    @Test
    void emptyOutputIsSaidExplicitly() {
        assertEquals(new ToolResult("(no output)", false), bash(Duration.ofSeconds(10), 4096).run(cmd("true"), new Cancellation()));
    }

    @Test
    void missingCommandIsAnErrorResultNamingTheInput() {
        ToolResult r = bash(Duration.ofSeconds(10), 4096).run(JsonNodeFactory.instance.objectNode(), new Cancellation());
        assertTrue(r.isError());
        assertTrue(r.output().contains("{\"command\""), r.output());
    }

    @Test
    void stdinIsEmptySoReadersDoNotHang() {
        ToolResult r = bash(Duration.ofSeconds(5), 4096).run(cmd("cat; echo done"), new Cancellation());
        assertEquals("done\n", r.output());
    }

    @Test
    void longOutputIsCappedKeepingHeadAndTail() {
        ToolResult r = bash(Duration.ofSeconds(10), 1000).run(cmd("echo START; seq 1 100000; echo END"), new Cancellation());
        assertFalse(r.isError());
        assertTrue(r.output().startsWith("START\n1\n2\n"), r.output().substring(0, 20));
        assertTrue(r.output().endsWith("100000\nEND\n"));
        assertTrue(r.output().contains("bytes of output omitted (output cap 1000 bytes)"));
        assertTrue(r.output().length() < 1200);
    }

    @Test
    void aTimeoutKillsTheCommandAndItsChildren() throws Exception {
        Path pidFile = workspace.resolve("ws").resolve("child.pid");
        long t0 = System.nanoTime();
        ToolResult r = bash(Duration.ofSeconds(1), 4096).run(cmd("echo begun; sleep 60 & echo $! > child.pid; wait"), new Cancellation());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(r.isError());
        assertTrue(r.output().startsWith("begun\n"), r.output());
        assertTrue(r.output().contains("[timed out after 1 s: the command and its child processes were killed]"), r.output());
        assertTrue(ms < 4000, "took " + ms + " ms");
        assertTrue(Processes.diesSoon(waitForPid(pidFile)));
    }

    @Test
    void cancelKillsTheRunningCommandAndThrows() throws Exception {
        Cancellation cancellation = new Cancellation();
        BashTool tool = bash(Duration.ofSeconds(60), 4096);
        Path pidFile = workspace.resolve("ws").resolve("sleep.pid");
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                tool.run(cmd("sleep 60 & echo $! > sleep.pid; wait"), cancellation);
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        long pid = waitForPid(pidFile);
        assertTrue(alive(pid));
        cancellation.cancel();
        assertInstanceOf(TurnCancelledException.class, outcome.get(5, TimeUnit.SECONDS));
        assertTrue(Processes.diesSoon(pid));
    }

    @Test
    void backgroundChildrenThatOutliveTheCommandAreKilledOnClose() throws Exception {
        BashTool tool = bash(Duration.ofSeconds(10), 4096);
        ToolResult r = tool.run(cmd("sleep 60 & echo $! > bg.pid; echo started"), new Cancellation());
        assertEquals("started\n", r.output());
        long pid = waitForPid(workspace.resolve("ws").resolve("bg.pid"));
        assertTrue(alive(pid), "a background job may keep running after its command");
        tool.close();
        assertTrue(Processes.diesSoon(pid), "runner shutdown kills it");
    }

    @Test
    void theSpecDeclaresACommandString() {
        BashTool tool = bash(Duration.ofSeconds(3), 10);
        ToolSpec spec = tool.spec();
        assertSame(spec, tool.spec(), "one spec object, so the providers convert it to their SDK's type once");
        assertEquals("bash", spec.name());
        assertEquals("string", spec.inputSchema().path("properties").path("command").path("type").asText());
        assertEquals("command", spec.inputSchema().path("required").get(0).asText());
    }
}
