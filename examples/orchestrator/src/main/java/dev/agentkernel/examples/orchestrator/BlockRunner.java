package dev.agentkernel.examples.orchestrator;

import dev.agentkernel.helpers.Rendering;
import dev.agentkernel.jupyter.execution.CellError;
import dev.agentkernel.jupyter.execution.CellParser;
import dev.agentkernel.jupyter.execution.CellValue;
import dev.agentkernel.jupyter.execution.JShellSession;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The one class through which the orchestrator reaches the cell engine: one JShell session with the helpers
 * preloaded, as the notebook kernel builds it ({@link JShellSession#evaluate}, which runs only the helpers blocks of
 * a text). When the Jupyter-free cell engine lands, only this class changes.
 */
final class BlockRunner implements AutoCloseable {
    private final JShellSession session = quietly(() -> new JShellSession(JShellSession.jvmClassPath(),
            new PrintStream(OutputStream.nullOutputStream()), Rendering::richBundle));

    /** The session's start-up prints the notebook banner ("run scriptedLlm() first ..."): not for this host's output. */
    private static <T> T quietly(java.util.function.Supplier<T> start) {
        PrintStream original = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            return start.get();
        } finally {
            System.setOut(original);
        }
    }

    /**
     * What running a text's blocks gave: what they printed, the last expression's value, and the error that stopped
     * them (compile error with its line, or exception with the user's frames), or null.
     */
    record Outcome(String printed, String value, String error) {
        boolean failed() {
            return error != null;
        }

        /** As the model reads it. */
        String report() {
            StringBuilder s = new StringBuilder(printed);
            if (value != null) s.append("=> ").append(value).append('\n');
            if (error != null) s.append(error).append('\n');
            return s.toString();
        }
    }

    /** Whether {@code text} holds helpers blocks (an answer without any is the model's last word). */
    static boolean hasBlocks(String text) {
        return CellParser.hasHelpersBlocks(text);
    }

    /** Runs the helpers blocks of {@code text} in order, in this session. */
    Outcome run(String text) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream original = System.out;
        // Local execution: the blocks print to this JVM's System.out, captured while they run.
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            Optional<CellValue> value = session.evaluate(text);
            return new Outcome(printed.toString(StandardCharsets.UTF_8), value.map(CellValue::text).orElse(null), null);
        } catch (CellError e) {
            return new Outcome(printed.toString(StandardCharsets.UTF_8), null, String.join("\n", e.traceback()));
        } finally {
            System.setOut(original);
        }
    }

    @Override
    public void close() {
        session.close();
    }
}
