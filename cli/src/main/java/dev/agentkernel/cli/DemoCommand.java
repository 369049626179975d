package dev.agentkernel.cli;

import dev.agentkernel.examples.KernelOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** The quickest look: the simple_agent example, offline against the scripted LLM unless LLM_API_KEY is set. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Spawn an agent, talk to it, stream a turn, read its history and info, then clean up.",
                "Without LLM_API_KEY it runs OFFLINE against the built-in scripted LLM server."})
final class DemoCommand implements Callable<Integer> {

    @ParentCommand Main main;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where agents live (default $AGENTKERNEL_HOME or ~/.agentkernel).")
    Path stateDir;

    @Override
    public Integer call() {
        return ExampleRun.run(ExampleName.SIMPLE_AGENT,
                new KernelOptions("local", null, main.stateDir(stateDir)), main.env(), main.out());
    }
}
