package dev.agentkernel.cells;

import dev.agentkernel.helpers.Display;
import dev.agentkernel.helpers.DisplayHandle;
import dev.agentkernel.helpers.MimeBundle;
import dev.agentkernel.helpers.Rendering;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.PrintStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** JShell evaluation in this JVM, as the kernel does it (no Jupyter involved). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JShellSessionTest {
    static JShellSession session;

    @BeforeAll
    static void start() {
        session = new JShellSession(JShellSession.jvmClassPath(), new PrintStream(OutputStream.nullOutputStream()),
                value -> value instanceof List<?> list
                        ? Optional.of(new MimeBundle(Map.of("text/plain", "", "text/html", "<ul>" + list.size() + "</ul>")))
                        : Rendering.richBundle(value));
    }

    @AfterAll
    static void stop() {
        session.close();
    }

    private static void run(String cell) {
        assertDoesNotThrow(() -> session.evaluate(cell));
    }

    private static CellError failure(String cell) {
        return assertThrows(CellError.class, () -> session.evaluate(cell));
    }

    @Test
    void lastExpressionIsTheValue() throws Exception {
        assertEquals("42", session.evaluate("6*7").orElseThrow().text());
        Optional<CellValue> value = session.evaluate("int a = 2;\nint b = 3;\na * b + 1");
        assertEquals("7", value.orElseThrow().text());
        assertTrue(session.evaluate("int c = 1;").isEmpty(), "a declaration shows no result");
        assertEquals("\"hi\"", session.evaluate("String s = \"hi\";\ns").orElseThrow().text());
    }

    @Test
    void htmlRenderingUsesTheRealObject() throws Exception {
        CellValue value = session.evaluate("List.of(1, 2, 3)").orElseThrow();
        assertEquals("[1, 2, 3]", value.text());
        assertEquals(Optional.of("<ul>3</ul>"), value.html());
        assertEquals(Optional.empty(), session.evaluate("42").orElseThrow().html());
    }

    @Test
    void renderableResultsCarryTheirMimeTypes() throws Exception {
        CellValue md = session.evaluate("markdown(\"**done**\")").orElseThrow();
        assertEquals("**done**", md.text(), "the text form, not the record's toString");
        assertEquals(Map.of("text/markdown", "**done**"), md.rich());
        CellValue png = session.evaluate("new java.awt.image.BufferedImage(2, 2, java.awt.image.BufferedImage.TYPE_INT_RGB)")
                .orElseThrow();
        byte[] bytes = java.util.Base64.getDecoder().decode(png.rich().get("image/png"));
        assertEquals('P', bytes[1]);
        assertTrue(png.text().startsWith("[PNG image 2x2"), png.text());
    }

    /** ask(...) streams its answer into the cell; as the cell's last expression it must not be shown again. */
    @Test
    void aStringAHelperAlreadyShowedIsNotRepeatedAsTheResult() throws Exception {
        assertTrue(session.evaluate("String shownAnswer = new String(\"answer\");\n"
                + "ShownValues.mark(shownAnswer);\nshownAnswer").isEmpty());
        assertEquals("\"answer\"", session.evaluate("shownAnswer").orElseThrow().text(),
                "a mark lasts for its own cell only");
        assertEquals("\"other\"", session.evaluate("ShownValues.mark(new String(\"x\"));\nnew String(\"other\")")
                .orElseThrow().text(), "other strings are still shown");
    }

    @Test
    void defaultImportsAndStateAcrossCells() throws Exception {
        session.evaluate("var names = new ArrayList<String>(); names.add(\"x\");");
        assertEquals("1", session.evaluate("names.size()").orElseThrow().text());
        assertEquals("3", session.evaluate("Stream.of(1,2,3).count()").orElseThrow().text());
    }

    @Test
    void agentkernelJshIsPreloadedAndWarmUpLeavesNoTrace() throws Exception {
        assertEquals(List.of(), session.startupProblems());
        assertEquals("\"Helpers\"", session.evaluate("Helpers.class.getSimpleName()").orElseThrow().text());
        run("Runnable compilesOnlyWithTheStaticImport = () -> localKernel();");
        assertEquals("CompileError", failure("$agentkernelWarmUp").name());
    }

    @Test
    void helpersShareTheKernelsClassLoader() throws Exception {
        Display mine = new Display() {
            public void print(String text) {}
            public void html(String html, String plainText) {}
            public DisplayHandle markdown(String markdown) { return m -> {}; }
        };
        Display.install(mine);
        try {
            session.evaluate("Object seen = dev.agentkernel.helpers.Display.current();");
            session.evaluate("dev.agentkernel.cells.ValueBridge.capture(seen);");
            assertSame(mine, ValueBridge.take(), "the cell sees the Display the kernel installed");
        } finally {
            Display.install(null);
        }
    }

    @Test
    void helpersBlocksRunInOrderAndProseIsIgnored() throws Exception {
        String cell = "Let me count.\n<helpers>\nint counted = 1;\n</helpers>\nThen double it (this is prose; not Java!)\n"
                + "<helpers>\ncounted = counted * 2;\ncounted\n</helpers>\nDone.";
        assertEquals("2", session.evaluate(cell).orElseThrow().text());
    }

    @Test
    void unclosedHelpersTagNamesTheLine() {
        CellError e = failure("Plan:\n\n<helpers>\nint z = 1;\n");
        assertEquals("HelpersTagError", e.name());
        assertTrue(e.getMessage().contains("Unclosed <helpers> tag on line 3"), e.getMessage());
        assertTrue(e.getMessage().contains("</helpers>"), "says how to fix it: " + e.getMessage());
    }

    @Test
    void compileErrorShowsCellLineAndColumn() {
        CellError e = failure("int ok = 1;\n\nint bad = undefinedThing + 1;");
        assertEquals("CompileError", e.name());
        assertTrue(e.getMessage().startsWith("line 3, column 11: cannot find symbol"), e.getMessage());
        assertTrue(e.traceback().get(0).startsWith("Compile error at line 3, column 11"), e.traceback().toString());
        assertTrue(e.traceback().stream().anyMatch(l -> l.contains("int bad = undefinedThing + 1;")));
        assertTrue(e.traceback().stream().anyMatch(l -> l.contains("symbol:   variable undefinedThing")), e.traceback().toString());
        assertTrue(String.join("\n", e.traceback()).lines().noneMatch(l -> l.strip().equals("location: class")),
                "a snippet's class has no name; an empty location line says nothing: " + e.traceback());
    }

    @Test
    void compileErrorInsideHelpersBlockUsesCellLines() {
        CellError e = failure("intro\nmore intro\n<helpers>\nString t = 5;\n</helpers>");
        assertTrue(e.getMessage().startsWith("line 4, column 12"), e.getMessage());
    }

    @Test
    void exceptionShowsClassAndMessageFirstThenOnlyUserFrames() {
        run("void explode(String why) { throw new IllegalStateException(why); }");
        CellError e = failure("int before = 1;\nexplode(\"boom\");");
        assertEquals("IllegalStateException", e.name());
        assertEquals("boom", e.getMessage());
        assertEquals("java.lang.IllegalStateException: boom", e.traceback().get(0));
        assertTrue(e.traceback().stream().anyMatch(l -> l.contains("at explode")), e.traceback().toString());
        assertTrue(e.traceback().stream().anyMatch(l -> l.contains("at cell (line 2)")), e.traceback().toString());
        assertTrue(e.traceback().stream().noneMatch(l -> l.contains("jdk.") || l.contains("java.base")),
                "no internal frames: " + e.traceback());
    }

    @Test
    void causesAreListed() {
        CellError e = failure("throw new RuntimeException(\"outer\", new java.io.IOException(\"disk\"));");
        assertEquals("java.lang.RuntimeException: outer", e.traceback().get(0));
        assertTrue(e.traceback().contains("Caused by: java.io.IOException: disk"), e.traceback().toString());
    }

    @Test
    void exitIsRefusedBeforeAnythingRuns() throws Exception {
        CellError e = failure("int ran = 1;\n// System.exit(3) in a comment is fine\nSystem.exit(0);");
        assertEquals("ExitRefused", e.name());
        assertTrue(e.getMessage().contains("System.exit( on line 3"), e.getMessage());
        assertTrue(failure("Runtime.getRuntime().halt(1);").getMessage().contains("Runtime.getRuntime().halt("));
        CellError notDefined = failure("ran");
        assertEquals("CompileError", notDefined.name(), "nothing of the refused cell ran");
        assertEquals("\"System.exit(1)\"", session.evaluate("\"System.exit(1)\"").orElseThrow().text());
    }

    @Test
    void busyLoopAndSleepAreInterruptedAndTheSessionSurvives() throws Exception {
        for (String cell : List.of("while (true) { }", "Thread.sleep(60_000);", "int spins = 0; while (true) { spins++; }")) {
            CompletableFuture<CellError> running = CompletableFuture.supplyAsync(() ->
                    assertThrows(CellError.class, () -> session.evaluate(cell)));
            Thread.sleep(700);
            long start = System.nanoTime();
            session.stop();
            CellError e = running.get(10, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals("Interrupted", e.name(), cell);
            assertTrue(ms < 3000, cell + " stopped after " + ms + " ms");
        }
        assertEquals("2", session.evaluate("1+1").orElseThrow().text());
    }

    @Test
    void anInterruptWhileTheCellIsStillCompilingStillStopsItsLoop() throws Exception {
        CompletableFuture<CellError> running = CompletableFuture.supplyAsync(() ->
                assertThrows(CellError.class, () -> session.evaluate("long n = 0; while (true) { n++; }")));
        while (!session.running()) Thread.onSpinWait();
        session.stop(); // right after the cell started: possibly before its snippet executes at all
        CellError e = running.get(10, TimeUnit.SECONDS);
        assertEquals("Interrupted", e.name());
        assertEquals("4", session.evaluate("2+2").orElseThrow().text());
    }

    @Test
    void stopWhenIdleDoesNotBreakTheNextCell() throws Exception {
        session.stop();
        assertEquals("3", session.evaluate("1+2").orElseThrow().text());
    }

    @Test
    void completion() {
        JShellSession.Completions c = session.complete("System.out.printl", 17);
        assertTrue(c.matches().contains("println("), c.matches().toString());
        assertEquals(11, c.start());
        assertEquals(17, c.end());
        String two = "int x = 1;\nMath.ab";
        JShellSession.Completions second = session.complete(two, two.length());
        assertTrue(second.matches().contains("abs("), second.matches().toString());
        assertEquals(two.length() - 2, second.start());
        String helpers = "prose <helpers>\nMath.ma</helpers>";
        JShellSession.Completions inBlock = session.complete(helpers, helpers.indexOf("</"));
        assertTrue(inBlock.matches().contains("max("), inBlock.matches().toString());
    }

    @Test
    void documentation() {
        Optional<String> doc = session.documentation("Math.abs", 8);
        assertTrue(doc.isPresent());
        assertTrue(doc.get().contains("abs(int"), doc.get());
    }

    /** JShell finds Javadoc only in the JDK's src.zip; the helpers' comes from their packaged sources. */
    @Test
    void helpersHaveTheirJavadocInTheInspector() {
        String ask = session.documentation("ask", 3).orElseThrow();
        assertTrue(ask.contains("Helpers.ask(AgentKernel kernel, SpawnResult agent, String message)"), ask);
        assertTrue(ask.contains("Sends {@code message} and returns the agent's full text"), ask);
        String display = session.documentation("display(", 8).orElseThrow();
        assertTrue(display.contains("returns its display id"), display);
        String spawnDoc = session.documentation("spawn", 5).orElseThrow();
        assertTrue(spawnDoc.contains("Spawns an agent named"), spawnDoc);
    }

    @Test
    void isComplete() {
        assertEquals(JShellSession.Status.COMPLETE, session.isComplete("int q = 1;"));
        assertEquals(JShellSession.Status.COMPLETE, session.isComplete("1 + 1"));
        assertEquals(JShellSession.Status.INCOMPLETE, session.isComplete("for (int i = 0; i < 3; i++) {"));
        assertEquals(JShellSession.Status.INCOMPLETE, session.isComplete("text\n<helpers>\nint q = 1;"));
        assertEquals(JShellSession.Status.INVALID, session.isComplete("int x = ;"));
        assertEquals(JShellSession.Status.INVALID, session.isComplete("1 + 1)"));
        assertEquals(JShellSession.Status.COMPLETE, session.isComplete("text\n<helpers>\nint q = 1;\n</helpers>"));
    }
}
