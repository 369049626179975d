package dev.agentkernel.jupyter;

import dev.agentkernel.fakellm.FakeLlmServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kernel driven by real Jupyter clients (jupyter_client, jupyter_kernel_test, nbclient from Debian's
 * packages): each test runs a Python script and fails with its output if any of its checks failed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JupyterClientsTest {
    private PythonJupyter jupyter;
    private FakeLlmServer llm;

    @BeforeAll
    void setUp() throws IOException {
        String missing = PythonJupyter.missingPackages();
        assumeTrue(missing == null, () -> "Skipping the Jupyter client tests: " + missing);
        jupyter = new PythonJupyter();
        llm = FakeLlmServer.start(0);
    }

    @AfterAll
    void tearDown() throws IOException {
        if (llm != null) llm.close();
        if (jupyter != null) jupyter.close();
    }

    private void assertPasses(PythonJupyter.Result result) {
        System.out.println(result.output());
        assertEquals(0, result.exitCode(), result.output());
    }

    @Test
    void jupyterKernelTestSuite() throws Exception {
        assertPasses(jupyter.run(300, Map.of(), "kernel_tests.py"));
    }

    @Test
    void streamingErrorsExitHelpersDisplayAndInterrupts() throws Exception {
        // an empty local repository, so %maven really downloads from Maven Central
        assertPasses(jupyter.run(400, Map.of("AGENTKERNEL_MAVEN_REPO", jupyter.root.resolve("maven").toString()),
                "behaviour_tests.py", "KernelBehaviour"));
    }

    @Test
    void agentTurnsStreamAndInterruptAndDieWithTheKernel() throws Exception {
        assertPasses(jupyter.run(300, Map.of("FAKE_LLM_URL", llm.anthropicBaseUrl()), "behaviour_tests.py", "AgentTurns"));
    }

    /** jupyter console renders stream messages, not display updates: a turn must stream there too (issue 17.9). */
    @Test
    void jupyterConsoleShowsATurnWhileItStreams() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/jupyter-console")), "Skipping: no /usr/bin/jupyter-console");
        assertPasses(jupyter.run(300, Map.of("FAKE_LLM_URL", llm.anthropicBaseUrl()), "console_tests.py"));
    }

    @Test
    void notebooksRunWithoutErrors() throws Exception {
        Path dir = Path.of(System.getProperty("agentkernel.notebooks.dir", "../../notebooks"));
        boolean any;
        try (Stream<Path> files = Files.isDirectory(dir) ? Files.list(dir) : Stream.empty()) {
            any = files.anyMatch(p -> p.toString().endsWith(".ipynb"));
        }
        assumeTrue(any, () -> "No notebooks in " + dir.toAbsolutePath() + " yet");
        assertPasses(jupyter.run(600, Map.of("FAKE_LLM_URL", llm.anthropicBaseUrl()), "run_notebooks.py",
                "--dir", dir.toAbsolutePath().toString(), "--kernel", PythonJupyter.KERNEL_NAME));
    }
}
