package dev.agentkernel.cells;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The Jupyter-free entry point: a cell's text in, what it printed, its value and its error out. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CellRunnerTest {
    static CellRunner runner;

    @BeforeAll
    static void start() {
        runner = new CellRunner();
    }

    @AfterAll
    static void stop() {
        runner.close();
    }

    @Test
    void returnsPrintedTextAndTheLastValue() {
        CellRunner.Result r = runner.run("System.out.println(\"hello\");\nSystem.err.println(\"warn\");\n20 + 22");
        assertFalse(r.failed(), r.report());
        assertEquals("hello\nwarn\n", r.printed());
        assertEquals("42", r.value().orElseThrow().text());
        assertEquals("hello\nwarn\n=> 42\n", r.report());
    }

    @Test
    void theSessionKeepsVariablesAcrossRunsAndTheHelpersAreLoaded() {
        assertTrue(runner.startupProblems().isEmpty(), runner.startupProblems().toString());
        assertFalse(runner.run("int kept = 7;").failed());
        assertEquals("14", runner.run("kept * 2").value().orElseThrow().text());
    }

    @Test
    void runsOnlyTheHelpersBlocksOfAText() {
        String text = "The model says: let me compute.\n<helpers>\nSystem.out.println(\"in block\");\n</helpers>\nthen\n<helpers>\n6 * 7\n</helpers>";
        assertTrue(CellRunner.hasHelpersBlocks(text));
        CellRunner.Result r = runner.run(text);
        assertEquals("in block\n", r.printed());
        assertEquals("42", r.value().orElseThrow().text());
    }

    @Test
    void anErrorNamesTheCellLineAndKeepsWhatWasPrinted() {
        CellRunner.Result r = runner.run("System.out.println(\"before\");\nint x = \"no\";");
        assertTrue(r.failed());
        assertEquals("before\n", r.printed());
        assertTrue(r.value().isEmpty());
        assertEquals("CompileError", r.error().orElseThrow().name());
        assertTrue(r.error().get().getMessage().startsWith("line 2"), r.error().get().getMessage());

        CellRunner.Result thrown = runner.run("\n\nthrow new IllegalStateException(\"boom\");");
        assertEquals("IllegalStateException", thrown.error().orElseThrow().name());
        assertTrue(thrown.report().contains("at cell (line 3)"), thrown.report());
    }

    @Test
    void theHostsStreamsAreBackAfterARunEvenAFailedOne() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        runner.run("System.out.print(1);");
        runner.run("throw new RuntimeException();");
        assertSame(out, System.out);
        assertSame(err, System.err);
    }
}
