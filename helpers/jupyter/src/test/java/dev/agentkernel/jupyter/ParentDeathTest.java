package dev.agentkernel.jupyter;

import dev.agentkernel.fakellm.FakeLlmServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 17.10: when the frontend that started the kernel dies without a shutdown request (its terminal closed: SIGHUP;
 * or SIGKILL), the kernel JVM exits and takes its agents along, as ipykernel does through {@code JPY_PARENT_PID}.
 * The frontend here is a jupyter_client script, which passes its pid the way jupyter console does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class ParentDeathTest {
    private PythonJupyter jupyter;
    private FakeLlmServer llm;

    @BeforeAll
    void setUp() throws IOException {
        String missing = PythonJupyter.missingPackages();
        assumeTrue(missing == null, () -> "Skipping: " + missing);
        jupyter = new PythonJupyter();
        llm = FakeLlmServer.start(0);
    }

    @AfterAll
    void tearDown() throws IOException {
        if (llm != null) llm.close();
        if (jupyter != null) jupyter.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"HUP", "KILL"})
    void theKernelAndItsAgentsEndWithTheFrontend(String signal) throws Exception {
        Process frontend = jupyter.start(Map.of("FAKE_LLM_URL", llm.anthropicBaseUrl()), "parent_death.py");
        long kernelPid;
        long runnerPid;
        StringBuilder seen = new StringBuilder();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(frontend.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("PIDS ")) seen.append(line).append('\n');
            assertNotNull(line, "the frontend printed no pids:\n" + seen);
            String[] pids = line.split(" ");
            kernelPid = Long.parseLong(pids[1]);
            runnerPid = Long.parseLong(pids[2]);
            assertTrue(alive(kernelPid) && alive(runnerPid));
            new ProcessBuilder("kill", "-" + signal, Long.toString(frontend.pid())).start().waitFor();
            assertTrue(frontend.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "the frontend died of SIG" + signal);
        } catch (Throwable t) {
            frontend.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            frontend.destroyForcibly();
            throw t;
        }
        long start = System.nanoTime();
        // 3 s is the target (the kernel polls every 250 ms); the bound is generous for a loaded machine
        long deadline = start + 20_000_000_000L;
        while ((alive(kernelPid) || alive(runnerPid)) && System.nanoTime() < deadline) Thread.sleep(20);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("BENCH SIG" + signal + " frontend -> kernel and runner gone: " + millis + " ms");
        try {
            assertFalse(alive(kernelPid), "the kernel JVM outlived its frontend");
            assertFalse(alive(runnerPid), "the agent's runner outlived its kernel's frontend");
        } finally {
            ProcessHandle.of(kernelPid).ifPresent(ProcessHandle::destroyForcibly);
            ProcessHandle.of(runnerPid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Alive and not a zombie waiting for its reaper. */
    private static boolean alive(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) return false;
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }
}
