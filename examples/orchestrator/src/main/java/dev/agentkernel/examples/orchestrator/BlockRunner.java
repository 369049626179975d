package dev.agentkernel.examples.orchestrator;

import dev.agentkernel.cells.CellRunner;
import dev.agentkernel.cells.CellValue;

/**
 * The one class through which the orchestrator reaches the cell engine: a {@link CellRunner} (one JShell session
 * with the helpers preloaded, as the notebook kernel builds it; it runs only the helpers blocks of a text).
 */
final class BlockRunner implements AutoCloseable {
    private final CellRunner runner = new CellRunner();

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
        return CellRunner.hasHelpersBlocks(text);
    }

    /** Runs the helpers blocks of {@code text} in order, in this session. */
    Outcome run(String text) {
        CellRunner.Result result = runner.run(text);
        return new Outcome(result.printed(), result.value().map(CellValue::text).orElse(null),
                result.error().map(e -> String.join("\n", e.traceback())).orElse(null));
    }

    @Override
    public void close() {
        runner.close();
    }
}
