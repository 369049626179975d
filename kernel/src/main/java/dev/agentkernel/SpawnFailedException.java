package dev.agentkernel;

import java.util.List;

/** The agent process or pod did not become ready. Carries the last lines of its stderr when there are any. */
public class SpawnFailedException extends AgentKernelException {
    private final List<String> stderrTail;

    public SpawnFailedException(String message, List<String> stderrTail) {
        super(stderrTail == null || stderrTail.isEmpty() ? message
                : message + "\n--- last lines of the runner's stderr ---\n" + String.join("\n", stderrTail));
        this.stderrTail = stderrTail == null ? List.of() : List.copyOf(stderrTail);
    }

    public SpawnFailedException(String message, Throwable cause) {
        super(message, cause);
        this.stderrTail = List.of();
    }

    public List<String> stderrTail() { return stderrTail; }
}
