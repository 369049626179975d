package dev.agentkernel.jupyter.skill;

import dev.agentkernel.helpers.Rendering;
import dev.agentkernel.jupyter.execution.CellError;
import dev.agentkernel.jupyter.execution.CellValue;
import dev.agentkernel.jupyter.execution.JShellSession;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The one class through which the skill tests reach the cell engine: a JShell session with the helpers
 * preloaded, exactly as the notebook kernel builds it ({@link JShellSession#JShellSession} and
 * {@link JShellSession#evaluate}). When the Jupyter-free cell engine lands, only this class changes.
 */
final class HelpersSession implements AutoCloseable {
    private final JShellSession session = new JShellSession(JShellSession.jvmClassPath(),
            new PrintStream(OutputStream.nullOutputStream()), Rendering::richBundle);

    /** What a block printed, and its value when it ended with an expression. */
    record Output(String printed, String value) {
        String text() {
            return value == null ? printed : printed + value + "\n";
        }
    }

    /** A block failed to compile or threw: the cell engine's error as the notebook shows it. */
    static final class BlockFailedException extends Exception {
        BlockFailedException(String message) {
            super(message);
        }
    }

    /** Runs {@code code} (plain Java or text with {@code <helpers>} blocks) in this session. */
    Output run(String code) throws BlockFailedException {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream original = System.out;
        // Local execution: snippets print to this JVM's System.out, which is captured while the block runs.
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            Optional<CellValue> value = session.evaluate(code);
            return new Output(printed.toString(StandardCharsets.UTF_8), value.map(CellValue::text).orElse(null));
        } catch (CellError e) {
            throw new BlockFailedException(e.name() + ": " + e.getMessage() + "\n" + String.join("\n", e.traceback())
                    + "\n--- printed before it failed:\n" + printed.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    @Override
    public void close() {
        session.close();
    }
}
