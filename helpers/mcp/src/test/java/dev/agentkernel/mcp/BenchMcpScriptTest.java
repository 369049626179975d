package dev.agentkernel.mcp;

import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.jupyter.KernelSpecInstaller;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps src/test/python/bench_mcp.py (scripts/bench-all.sh's "MCP server vs notebook kernel" section) from rotting:
 * runs it with small counts against this build's MCP server and a kernelspec of this build, and checks that it
 * fails loudly when the server does not answer. The numbers it prints here are not the benchmark (n too small).
 */
class BenchMcpScriptTest {
    static final String PYTHON = "/usr/bin/python3";
    static final String KERNEL = "agentkernel-bench-test";
    static final Path SCRIPT = Path.of("src/test/python/bench_mcp.py");

    @TempDir
    Path root;

    @Test
    void measuresMcpAndTheNotebookKernelSideBySide() throws Exception {
        assumePythonJupyter();
        String server = installKernelAndServer();
        try (FakeLlmServer llm = FakeLlmServer.start(0)) {
            Result r = bench(server, "--llm-url", llm.anthropicBaseUrl(), "--starts", "1", "--runs", "3", "--rounds", "2");
            assertEquals(0, r.exitCode(), r.output());
            for (String line : List.of("BENCH mcp start -> initialize answered: p50 ",
                    "BENCH notebook kernel start -> kernel_info reply: p50 ",
                    "BENCH mcp run_helpers(\"1+1\") warm round trip: p50 ",
                    "BENCH notebook kernel execute_request \"1+1\" warm round trip: p50 ",
                    "BENCH spawn+ask+kill via MCP run_helpers: p50 ",
                    "BENCH spawn+ask+kill via notebook kernel execute_request: p50 ")) {
                assertTrue(Pattern.compile(Pattern.quote(line) + "\\d+\\.\\d ms").matcher(r.output()).find(),
                        () -> "missing '" + line + "<ms>' in:\n" + r.output());
            }
            assertTrue(Pattern.compile("\\| spawn \\+ ask \\+ kill, one helpers block, scripted LLM \\(AB/BA\\) \\| 2 \\| "
                    + "\\d+\\.\\d \\| \\d+\\.\\d \\| \\d+\\.\\d\\d \\|").matcher(r.output()).find(), r.output());
        }
        assertNothingLeft();
    }

    /** Installs a kernelspec of this build into the temp Jupyter dir; returns the MCP server's command line. */
    private String installKernelAndServer() {
        KernelSpecInstaller.install(new KernelSpecInstaller.Options(KernelSpecInstaller.Location.USER, Optional.empty(),
                KERNEL, Optional.empty()), Map.of("JUPYTER_DATA_DIR", root.resolve("data").toString()));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the marker names this test's temp dir in the server's command line, as the runners' --config and the kernel's
        // connection file do: what is left afterwards is found by it
        return shellWords(List.of(java, "-Dagentkernel.bench.test=" + root,
                "-Dagentkernel.runner.jar=" + System.getProperty("agentkernel.runner.jar"),
                "-cp", System.getProperty("java.class.path"), AgentKernelMcp.class.getName()));
    }

    /** No process whose command line names this test's temp dir (server, kernel, runners) outlives the script. */
    private void assertNothingLeft() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        List<ProcessHandle> left;
        do {
            left = ProcessHandle.allProcesses().filter(p -> McpServerTest.cmdline(p).contains(root.toString())).toList();
            if (left.isEmpty()) return;
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        String names = left.stream().map(p -> p.pid() + " " + McpServerTest.cmdline(p)).collect(Collectors.joining("\n"));
        left.forEach(ProcessHandle::destroyForcibly);
        throw new AssertionError("left running after bench_mcp.py:\n" + names);
    }

    @Test
    void aToolErrorFailsTheRunWithTheServersMessage() throws Exception {
        assumePythonJupyter();
        // port 9 (discard) refuses: the spawn works, the block's ask fails, run_helpers answers with isError
        Result r = bench(installKernelAndServer(), "--llm-url", "http://127.0.0.1:9", "--starts", "1", "--runs", "1",
                "--rounds", "1");
        assertEquals(1, r.exitCode(), r.output());
        assertTrue(r.output().contains("bench_mcp.py: FAILED: tool run_helpers("), r.output());
        assertTrue(r.output().contains("TurnFailedException"), r.output());
        assertFalse(r.output().contains("BENCH spawn+ask+kill"), r.output());
        assertNothingLeft();
    }

    @Test
    void aServerThatDoesNotAnswerFailsTheRunInsteadOfGivingANumber() throws Exception {
        assumePythonJupyter();
        Result r = bench("/bin/true", "--llm-url", "http://127.0.0.1:9", "--starts", "1", "--runs", "1", "--rounds", "1");
        assertEquals(1, r.exitCode(), r.output());
        // /bin/true exits at once: the script sees either its closed stdout or the broken pipe of its request first
        assertTrue(Pattern.compile("bench_mcp.py: FAILED: (the MCP server closed stdout before answering initialize"
                + "|writing to the MCP server failed)").matcher(r.output()).find(), r.output());
        assertTrue(r.output().contains("server: /bin/true"), r.output());
        assertFalse(r.output().contains("BENCH"), r.output());
    }

    record Result(int exitCode, String output) {}

    private Result bench(String mcpCommand, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON, "-u", SCRIPT.toAbsolutePath().toString(), "--mcp-command",
                mcpCommand, "--kernel", KERNEL));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Path home = Files.createDirectories(root.resolve("home"));
        Map<String, String> env = pb.environment();
        env.put("JUPYTER_DATA_DIR", root.resolve("data").toString());
        env.put("JUPYTER_PATH", root.resolve("data").toString());
        env.put("JUPYTER_CONFIG_DIR", root.resolve("config").toString());
        env.put("JUPYTER_RUNTIME_DIR", root.resolve("runtime").toString());
        env.put("JUPYTER_PLATFORM_DIRS", "0");
        env.put("AGENTKERNEL_HOME", home.toString());
        env.put("LLM_API_KEY", "");
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(output lost: " + e + ")";
            }
        });
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("bench_mcp.py did not finish within 240 s:\n" + out.getNow(""));
        }
        return new Result(p.exitValue(), out.join());
    }

    private static void assumePythonJupyter() throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(PYTHON, "-c", "import jupyter_client").redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort(PYTHON + " is not available: " + e.getMessage());
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(p.waitFor() == 0, PYTHON + " lacks jupyter_client (apt-get install python3-jupyter-client): " + out);
    }

    /** The command as one shell-quoted line (the script splits it with shlex). */
    private static String shellWords(List<String> words) {
        return words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
    }
}
