package dev.agentkernel.helpers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs each notebook's code cells top to bottom in one JShell session of this JVM, the way the Jupyter
 * kernel does (local execution, agentkernel.jsh first, {@code <helpers>} blocks only), offline against the
 * scripted LLM the notebook starts itself. The notebooks' own assertion cells do the checking; this test
 * fails on any rejected snippet or thrown exception, naming the cell. (The Jupyter module runs the same
 * notebooks through nbclient.)
 */
class NotebooksTest {
    private static final Pattern HELPERS = Pattern.compile("<helpers>(.*?)</helpers>", Pattern.DOTALL);
    private final String originalHome = System.getProperty("user.home");

    @AfterEach
    void restore() {
        System.setProperty("user.home", originalHome);
        Display.install(null);
        Helpers.useLlm(null, null);
        Session.closeAll();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tour.ipynb", "team.ipynb", "agentbus.ipynb"})
    void runsTopToBottomOffline(String name, @TempDir Path home) throws Exception {
        assumeTrue(System.getenv("LLM_API_KEY") == null, "offline run only: LLM_API_KEY is set");
        assumeTrue(System.getenv("AGENTKERNEL_HOME") == null, "AGENTKERNEL_HOME would put agents outside the temp dir");
        assumeTrue(RealAgents.runnerBuilt(), "the runner is not built");
        Path notebook = Path.of(System.getProperty("agentkernel.notebooks.dir", "../../notebooks")).resolve(name);
        JsonNode nb = new ObjectMapper().readTree(notebook.toFile());
        assertEquals(4, nb.path("nbformat").asInt());
        assertEquals("agentkernel", nb.path("metadata").path("kernelspec").path("name").asText());
        assertEquals("java", nb.path("metadata").path("kernelspec").path("language").asText());

        // the kernel's default state dir is ~/.agentkernel: keep this run's agents in the temp dir
        System.setProperty("user.home", home.toString());
        RecordingDisplay display = new RecordingDisplay(true);
        Display.install(display);
        try (JShell shell = JShell.builder().executionEngine("local").build()) {
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                shell.addToClasspath(entry);
            }
            StartupScriptTest.evalAll(shell, StartupScriptTest.startupScript());
            int index = 0;
            int codeCells = 0;
            for (JsonNode cell : nb.path("cells")) {
                index++;
                if (!cell.path("cell_type").asText().equals("code")) continue;
                codeCells++;
                for (String block : blocks(source(cell))) run(shell, name + " cell " + index, block);
            }
            assertTrue(codeCells >= 8, "the notebook has its code cells: " + codeCells);
        }
        assertTrue(display.events().stream().anyMatch(e -> e.startsWith("markdown")),
                "ask streamed answers into the display: " + display.events());
    }

    private static String source(JsonNode cell) {
        JsonNode source = cell.path("source");
        if (source.isTextual()) return source.asText();
        StringBuilder text = new StringBuilder();
        source.forEach(line -> text.append(line.asText()));
        return text.toString();
    }

    private static List<String> blocks(String cell) {
        List<String> blocks = new ArrayList<>();
        Matcher m = HELPERS.matcher(cell);
        while (m.find()) blocks.add(m.group(1));
        if (blocks.isEmpty() && !cell.isBlank()) blocks.add(cell);
        return blocks;
    }

    private static void run(JShell shell, String where, String code) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String remaining = code;
        while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            String source = info.completeness().isComplete() ? info.source() : remaining;
            for (SnippetEvent event : shell.eval(source)) {
                if (event.status() == Snippet.Status.REJECTED) {
                    fail(where + ": rejected " + source + shell.diagnostics(event.snippet())
                            .map(d -> d.getMessage(null)).toList());
                }
                if (event.exception() != null) {
                    fail(where + ": " + source + " threw " + event.exception(), event.exception());
                }
            }
            remaining = info.completeness().isComplete() ? info.remaining() : "";
        }
    }
}
