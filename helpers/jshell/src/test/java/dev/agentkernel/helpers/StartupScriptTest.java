package dev.agentkernel.helpers;

import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** agentkernel.jsh evaluates cleanly in JShell and gives a session the helpers and api.md types. */
class StartupScriptTest {

    static String startupScript() throws Exception {
        try (InputStream in = JShellLauncher.class.getResourceAsStream(JShellLauncher.STARTUP_RESOURCE)) {
            assertNotNull(in, JShellLauncher.STARTUP_RESOURCE + " is packaged");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Evaluates {@code source} snippet by snippet; returns the events, failing on any rejected snippet. */
    static List<SnippetEvent> evalAll(JShell shell, String source) {
        List<SnippetEvent> events = new ArrayList<>();
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String remaining = source;
        while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            assertTrue(info.completeness().isComplete(), "incomplete snippet: " + remaining);
            for (SnippetEvent event : shell.eval(info.source())) {
                String diagnostics = shell.diagnostics(event.snippet())
                        .map(d -> d.getMessage(null)).toList().toString();
                assertNotEquals(Snippet.Status.REJECTED, event.status(),
                        "rejected: " + info.source() + " " + diagnostics);
                assertNull(event.exception(), "threw: " + info.source() + " " + event.exception());
                events.add(event);
            }
            remaining = info.remaining();
        }
        return events;
    }

    @Test
    void theScriptRunsWithoutErrorsAndMakesTheHelpersUsable() throws Exception {
        PrintStream originalOut = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        // local execution: snippets run in this JVM, printing to this JVM's System.out
        try (JShell shell = JShell.builder().executionEngine("local").build()) {
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                shell.addToClasspath(entry);
            }
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            evalAll(shell, startupScript());
            List<SnippetEvent> events = evalAll(shell, """
                    int answer = await(CompletableFuture.completedFuture(42));
                    List<String> names = new ArrayList<>(List.of("b", "a"));
                    Path where = Path.of("x");
                    OpenClawSpawnInfo info = openclaw("You are a tester.").build();
                    Class<?> request = SpawnRequest.class;
                    Class<?> capacity = TeamCapacityException.class;
                    String shown = Rendering.html(List.of(new HistoryEntry("user", "<b>", null))).orElseThrow();
                    """);
            assertEquals("42", events.get(0).value());
            assertTrue(events.get(events.size() - 1).value().contains("&lt;b&gt;"));
        } finally {
            System.setOut(originalOut);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("AgentKernel for Java ready"), "banner printed: " + out);
        assertEquals(1, out.lines().count(), "the banner is one line: " + out);
    }

    /** Runs a real jshell binary on the script in the helpers directory, with {@code /exit} as its only input. */
    static String runJshell(Path jshell, String... options) throws Exception {
        Path script = Path.of(System.getProperty("agentkernel.helpers.dir", "..")).resolve("agentkernel.jsh").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(jshell.toString(), "-J-Duser.home=" + Files.createTempDirectory("jshell-home")));
        command.addAll(List.of(options));
        command.addAll(List.of("--startup", "DEFAULT", "--startup", script.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().write("/exit\n".getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "jshell ended");
        return out;
    }

    static Path currentJshell() {
        return Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jshell");
    }

    @Test
    void withoutTheClassPathTheScriptSaysWhatToRunAndDoesNotClaimReady() throws Exception {
        String out = runJshell(currentJshell());
        assertFalse(out.contains("ready"), out);
        List<String> ours = out.lines().filter(l -> l.contains("AgentKernel for Java")).toList();
        assertEquals(1, ours.size(), out);
        assertTrue(ours.get(0).contains("NOT loaded") && ours.get(0).contains("bin/agentkernel jshell")
                && ours.get(0).contains("--class-path"), ours.get(0));
    }

    @Test
    void onJdk17TheScriptSaysWhatToRunAndDoesNotClaimReady() throws Exception {
        Path jdk17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/jshell");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(jdk17), "no JDK 17 jshell here");
        String out = runJshell(jdk17, "--class-path", System.getProperty("java.class.path"));
        assertFalse(out.contains("ready"), out);
        List<String> ours = out.lines().filter(l -> l.contains("AgentKernel for Java")).toList();
        assertEquals(1, ours.size(), out);
        assertTrue(ours.get(0).contains("JDK 17") && ours.get(0).contains("JDK 21 or newer")
                && ours.get(0).contains("bin/agentkernel jshell"), ours.get(0));
    }

    @Test
    void withTheClassPathARealJshellIsReady() throws Exception {
        String out = runJshell(currentJshell(), "--class-path", System.getProperty("java.class.path"));
        assertTrue(out.contains("AgentKernel for Java ready"), out);
        assertFalse(out.contains("Error") || out.contains("NOT loaded"), out);
    }

    @Test
    void theCopyNextToTheModulesIsIdentical() throws Exception {
        Path copy = Path.of(System.getProperty("agentkernel.helpers.dir", "..")).resolve("agentkernel.jsh");
        assertTrue(Files.isRegularFile(copy), "missing " + copy.toAbsolutePath());
        assertEquals(startupScript(), Files.readString(copy),
                copy.toAbsolutePath() + " must stay a byte-for-byte copy of src/main/resources"
                        + JShellLauncher.STARTUP_RESOURCE + "; copy it over");
    }
}
