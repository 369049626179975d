package dev.agentkernel.cli;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.examples.KernelOptions;
import dev.agentkernel.examples.LlmSetup;

import java.io.PrintStream;
import java.util.Map;

/** Runs one example: LLM set-up first (its OFFLINE notice is the first line), then the kernel, then the steps. */
final class ExampleRun {
    private ExampleRun() {}

    static int run(ExampleName example, KernelOptions options, Map<String, String> env, PrintStream out) {
        try (LlmSetup llm = LlmSetup.fromEnvironment(env, out); AgentKernel kernel = options.open()) {
            example.run(kernel, llm, out);
        }
        return 0;
    }
}
