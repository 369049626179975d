package dev.agentkernel.examples;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawPlugin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How an example (or the CLI) builds its kernel: a YAML config file ({@code AgentKernel.fromConfig}) or a
 * backend name, optionally with a state directory.
 */
public record KernelOptions(String backend, Path config, Path stateDir) {

    public KernelOptions {
        backend = backend == null || backend.isBlank() ? "local" : backend;
    }

    public static KernelOptions local() {
        return new KernelOptions("local", null, null);
    }

    /** Parses {@code [--backend NAME] [--config FILE] [--state-dir DIR]} for the examples' own main methods. */
    public static KernelOptions parse(String[] args) {
        String backend = "local";
        Path config = null, stateDir = null;
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String flag = rest.remove(0);
            if (rest.isEmpty()) throw new IllegalArgumentException(usage("missing value after " + flag));
            String value = rest.remove(0);
            switch (flag) {
                case "--backend" -> backend = value;
                case "--config" -> config = Path.of(value);
                case "--state-dir" -> stateDir = Path.of(value);
                default -> throw new IllegalArgumentException(usage("unknown option " + flag));
            }
        }
        return new KernelOptions(backend, config, stateDir);
    }

    /** What an example does once its LLM and kernel are set up. */
    @FunctionalInterface
    public interface Example {
        void run(AgentKernel kernel, LlmSetup llm);
    }

    /**
     * An example's {@code main}: parse the options, set up the LLM (printing the OFFLINE notice first), open
     * the kernel, run, close both. Failures print their message, not a stack trace, and exit 1.
     */
    static void main(String[] args, Example example) {
        try {
            KernelOptions options = parse(args);
            try (LlmSetup llm = LlmSetup.fromEnvironment(System.out); AgentKernel kernel = options.open()) {
                example.run(kernel, llm);
            }
        } catch (RuntimeException e) {
            System.err.println("error: " + Await.unwrap(e).getMessage());
            System.exit(1);
        }
    }

    private static String usage(String problem) {
        return problem + "; usage: [--backend local] [--config FILE] [--state-dir DIR]";
    }

    /**
     * Builds the kernel with the OpenClaw plugin. A config file wins over the backend name (this is
     * {@code AgentKernel.fromConfig(config, new OpenClawPlugin())}, plus the state directory when given).
     */
    public AgentKernel open() {
        AgentKernel.Builder builder = AgentKernel.builder().plugin(new OpenClawPlugin());
        if (config != null) {
            if (!Files.isRegularFile(config)) {
                throw new IllegalArgumentException("config file " + config + " does not exist; pass the path of a YAML file"
                        + " like the seed's agentkernel.yaml (backend: local|kubernetes, ...)");
            }
            builder.config(config);
        } else {
            builder.backend(backend);
        }
        if (stateDir != null) builder.stateDir(stateDir);
        return builder.build();
    }
}
