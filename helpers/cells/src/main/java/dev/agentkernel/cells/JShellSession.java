package dev.agentkernel.cells;

import dev.agentkernel.helpers.MimeBundle;
import jdk.jshell.JShell;

import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One JShell evaluating cells in this JVM: the parts as jdk.jshell and IJava divide them, behind one object —
 * {@link StartupScript} (imports, {@code agentkernel.jsh}), {@link CellEvaluator} (the eval loop and the value),
 * {@link CellErrors} (diagnostics and stack traces in cell lines) and {@link CodeAnalysis} (completion, docs,
 * is-complete). Local execution ({@code CellExecution}: JShell's, minus its wait for threads a cell leaves running; not JShell's remote agent) keeps the helpers on the host's class loader, so the
 * {@code Display} the host installs is the one helper code sees, and a cell costs no process round trip.
 *
 * <p>Not thread-safe except {@link #stop()}: a kernel evaluates, completes and inspects from its shell thread; an
 * interrupt arrives on the control thread. Hosts that only run cells use {@link CellRunner}.
 */
public final class JShellSession implements AutoCloseable {
    private final JShell jshell;
    private final List<String> startupProblems;
    private final CellEvaluator evaluator;
    private final CodeAnalysis analysis;

    /**
     * @param classPath    what snippets compile against (the host's own class path, so helpers resolve)
     * @param out          where JShell itself reports (cells write to {@code System.out} directly)
     * @param renderer     how a result object is shown beyond text, if at all ({@code Rendering::richBundle})
     */
    public JShellSession(List<String> classPath, PrintStream out, Function<Object, Optional<MimeBundle>> renderer) {
        this.jshell = JShell.builder()
                .executionEngine(new CellExecution(), Map.of())
                .out(out)
                .err(out)
                .in(InputStream.nullInputStream())
                .build();
        classPath.forEach(jshell::addToClasspath);
        this.evaluator = new CellEvaluator(jshell, new CellErrors(jshell),
                new Magics(jshell::addToClasspath, System.getenv()), renderer);
        this.analysis = new CodeAnalysis(jshell.sourceCodeAnalysis());
        this.startupProblems = List.copyOf(StartupScript.run(jshell));
        StartupScript.warmUp(jshell);
    }

    /** The class path of this JVM, entry by entry (what a kernel started with {@code -cp} was given). */
    public static List<String> jvmClassPath() {
        String cp = System.getProperty("java.class.path", "");
        return cp.isBlank() ? List.of() : List.of(cp.split(File.pathSeparator));
    }

    /** Start-up snippets that failed (a broken {@code agentkernel.jsh} must not keep the kernel from starting). */
    public List<String> startupProblems() {
        return startupProblems;
    }

    /**
     * Runs a cell: its blocks in order, snippet by snippet, stopping at the first failure.
     *
     * @return the value of the last snippet when it is an expression
     * @throws CellError for a compile error, an exception, a refused exit call or an interrupt
     */
    public Optional<CellValue> evaluate(String cell) throws CellError {
        return evaluator.evaluate(cell);
    }

    /** Stops a running cell (from another thread): busy loops hit JShell's stop checks, waits are interrupted. */
    public void stop() {
        evaluator.stop();
    }

    /** Whether a cell is being evaluated (compiling or running). */
    boolean running() {
        return evaluator.running();
    }

    /** Completions at {@code cursor}: the replacement texts and the range of {@code code} they replace. */
    public record Completions(List<String> matches, int start, int end) {
    }

    public Completions complete(String code, int cursor) {
        return analysis.complete(code, cursor);
    }

    /** Signature and Javadoc of what is at {@code cursor}, or empty. */
    public Optional<String> documentation(String code, int cursor) {
        return analysis.documentation(code, cursor);
    }

    public enum Status { COMPLETE, INCOMPLETE, INVALID }

    /** Whether a console front end should run {@code code} now or keep reading lines. */
    public Status isComplete(String code) {
        return analysis.isComplete(code);
    }

    @Override
    public void close() {
        jshell.close();
    }
}
