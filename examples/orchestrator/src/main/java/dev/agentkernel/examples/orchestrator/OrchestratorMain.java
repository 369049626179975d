package dev.agentkernel.examples.orchestrator;

import java.nio.file.Path;

/**
 * {@code OrchestratorMain [--backend local|sandbox] [--state-dir DIR] [--out FILE] [--offline] [TASK...]}:
 * runs {@link Orchestrator} and prints the conversation; the synthesis goes to FILE (default synthesis.md).
 */
public final class OrchestratorMain {
    private OrchestratorMain() {}

    public static void main(String[] args) {
        String backend = "local";
        String home = System.getenv("AGENTKERNEL_HOME");
        Path stateDir = Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home") + "/.agentkernel");
        Path out = Path.of("synthesis.md");
        boolean offline = false;
        StringBuilder task = new StringBuilder();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--backend" -> backend = value(args, ++i, "--backend local|sandbox");
                case "--state-dir" -> stateDir = Path.of(value(args, ++i, "--state-dir DIR"));
                case "--out" -> out = Path.of(value(args, ++i, "--out FILE"));
                case "--offline" -> offline = true;
                default -> task.append(task.isEmpty() ? "" : " ").append(args[i]);
            }
        }
        var result = Orchestrator.run(new Orchestrator.Options(backend, stateDir, out, task.toString(), offline), System.out);
        System.out.println("synthesis: " + result.synthesisFile().toAbsolutePath());
    }

    private static String value(String[] args, int i, String usage) {
        if (i >= args.length) {
            System.err.println("orchestrator: " + usage + " needs a value");
            System.exit(2);
        }
        return args[i];
    }
}
