package dev.agentkernel.cells;

import dev.agentkernel.helpers.MimeBundle;
import dev.agentkernel.helpers.Rendering;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The cell engine for a host that is not a notebook (an MCP server, the orchestrator example, the skill tests):
 * give it a cell's text — Java, or text with {@code <helpers>} blocks — and get back what it printed, its value
 * and its error, in one {@link Result}. One runner is one JShell session: variables and agents live across
 * {@link #run} calls until {@link #close()}.
 *
 * <p>Cells print to this JVM's {@code System.out}/{@code System.err} (local execution); while a cell runs both
 * are redirected into the result, so a host that speaks a protocol on stdout is not corrupted by a cell. Runs are
 * serialised: one cell at a time per runner, and the redirection is per process, so one runner per JVM is the
 * intended use. Needs no Jupyter library.
 */
public final class CellRunner implements AutoCloseable {
    private final JShellSession session;

    /**
     * What running a cell gave.
     *
     * @param printed what the cell wrote to {@code System.out} and {@code System.err}, in order
     * @param value   the value of its last expression, if it ended with one and did not fail
     * @param error   why it stopped (compile error with its cell line, the user's exception with their frames,
     *                a refused exit, an interrupt), if it did
     */
    public record Result(String printed, Optional<CellValue> value, Optional<CellError> error) {
        public boolean failed() {
            return error.isPresent();
        }

        /** As a reader (or a model) takes it in: printed text, {@code => value}, then the error's traceback. */
        public String report() {
            StringBuilder s = new StringBuilder(printed);
            value.ifPresent(v -> s.append("=> ").append(v.text()).append('\n'));
            error.ifPresent(e -> s.append(String.join("\n", e.traceback())).append('\n'));
            return s.toString();
        }
    }

    /** A runner on this JVM's class path, with the kernel's value rendering (tables, images as MIME bundles). */
    public CellRunner() {
        this(JShellSession.jvmClassPath(), Rendering::richBundle);
    }

    /**
     * @param classPath what cells compile against; it must hold the helpers ({@code agentkernel-helpers})
     * @param renderer  how a value is shown beyond text ({@code Rendering::richBundle}, or {@code v -> Optional.empty()})
     */
    public CellRunner(List<String> classPath, Function<Object, Optional<MimeBundle>> renderer) {
        // the start-up script prints the notebook banner ("run scriptedLlm() first ..."): not for the host's output
        this.session = quietly(() -> new JShellSession(classPath, new PrintStream(OutputStream.nullOutputStream()), renderer));
    }

    /** Start-up snippets that failed ({@link JShellSession#startupProblems()}); empty when the helpers loaded. */
    public List<String> startupProblems() {
        return session.startupProblems();
    }

    /** Runs one cell in this session; never throws for what the cell did wrong (that is {@link Result#error()}). */
    public synchronized Result run(String cell) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8);
        PrintStream out = System.out;
        PrintStream err = System.err;
        System.setOut(capture);
        System.setErr(capture);
        try {
            Optional<CellValue> value = session.evaluate(cell);
            capture.flush();
            return new Result(printed.toString(StandardCharsets.UTF_8), value, Optional.empty());
        } catch (CellError e) {
            capture.flush();
            return new Result(printed.toString(StandardCharsets.UTF_8), Optional.empty(), Optional.of(e));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** Whether {@code text} holds {@code <helpers>} blocks (then only they run). */
    public static boolean hasHelpersBlocks(String text) {
        return CellParser.hasHelpersBlocks(text);
    }

    /** Stops the running cell from another thread; it ends with an {@code Interrupted} error, the session kept. */
    public void stop() {
        session.stop();
    }

    /** The session behind this runner, for completion and documentation. */
    public JShellSession session() {
        return session;
    }

    private static <T> T quietly(Supplier<T> start) {
        PrintStream original = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            return start.get();
        } finally {
            System.setOut(original);
        }
    }

    @Override
    public void close() {
        session.close();
    }
}
