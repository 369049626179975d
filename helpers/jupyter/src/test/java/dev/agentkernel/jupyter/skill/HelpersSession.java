package dev.agentkernel.jupyter.skill;

import dev.agentkernel.cells.CellRunner;
import dev.agentkernel.cells.CellValue;

/**
 * The one class through which the skill tests reach the cell engine: a {@link CellRunner} (the JShell session the
 * notebook kernel also runs, helpers preloaded), so the skill is checked the way an MCP host would run it.
 */
final class HelpersSession implements AutoCloseable {
    private final CellRunner runner = new CellRunner();

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
        CellRunner.Result result = runner.run(code);
        if (result.error().isPresent()) {
            var e = result.error().get();
            throw new BlockFailedException(e.name() + ": " + e.getMessage() + "\n" + String.join("\n", e.traceback())
                    + "\n--- printed before it failed:\n" + result.printed());
        }
        return new Output(result.printed(), result.value().map(CellValue::text).orElse(null));
    }

    @Override
    public void close() {
        runner.close();
    }
}
