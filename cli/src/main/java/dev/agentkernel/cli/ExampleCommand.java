package dev.agentkernel.cli;

import dev.agentkernel.examples.KernelOptions;
import dev.agentkernel.examples.orchestrator.Orchestrator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** The seed's examples, by name. */
@Command(name = "example", mixinStandardHelpOptions = true,
        description = "Run an example: simple_agent, team_scenario, agentbus_demo or orchestrator.")
final class ExampleCommand implements Callable<Integer> {

    @ParentCommand Main main;

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "simple_agent, team_scenario, agentbus_demo or orchestrator")
    String name;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "local",
            description = "Where agents run (default ${DEFAULT-VALUE}); ignored with --config.")
    String backend;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A YAML kernel config (the seed's agentkernel.yaml keys): AgentKernel.fromConfig(FILE).")
    Path config;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where agents live (default $AGENTKERNEL_HOME or ~/.agentkernel).")
    Path stateDir;

    @Override
    public Integer call() {
        if (ORCHESTRATOR.equals(name.toLowerCase(java.util.Locale.ROOT))) return orchestrator();
        ExampleName example;
        try {
            example = ExampleName.parse(name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage() + ", " + ORCHESTRATOR);
        }
        // A config file names its own state directory (or takes the kernel's default); only pass ours when asked.
        Path dir = config != null && stateDir == null ? null : main.stateDir(stateDir);
        return ExampleRun.run(example, new KernelOptions(backend, config, dir), main.env(), main.out());
    }

    static final String ORCHESTRATOR = "orchestrator";

    /** The orchestrator's model plans in helpers blocks that run in a JShell session here (examples/orchestrator). */
    private int orchestrator() {
        if (config != null) {
            throw new ParameterException(spec.commandLine(), "the orchestrator example runs on the local or sandbox"
                    + " backend (--backend), not with --config: its helpers blocks run in this process's JShell session");
        }
        Path dir = main.stateDir(stateDir);
        Path synthesis = dir.resolve("orchestrator").resolve("synthesis.md");
        try {
            java.nio.file.Files.createDirectories(synthesis.getParent());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + synthesis.getParent() + ": " + e.getMessage(), e);
        }
        var result = Orchestrator.run(new Orchestrator.Options(backend, dir, synthesis, null, false), main.env(), main.out());
        main.out().println("synthesis: " + result.synthesisFile());
        return 0;
    }
}
