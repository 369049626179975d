package dev.agentkernel.cli;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.examples.LlmSetup;
import dev.agentkernel.examples.SimpleAgent;
import dev.agentkernel.examples.TeamScenario;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The examples the CLI can run, by the seed's module names. */
enum ExampleName {
    SIMPLE_AGENT("simple_agent") {
        @Override void run(AgentKernel kernel, LlmSetup llm, PrintStream out) { SimpleAgent.run(kernel, llm, out); }
    },
    TEAM_SCENARIO("team_scenario") {
        @Override void run(AgentKernel kernel, LlmSetup llm, PrintStream out) { TeamScenario.run(kernel, llm, out); }
    },
    AGENTBUS_DEMO("agentbus_demo") {
        @Override void run(AgentKernel kernel, LlmSetup llm, PrintStream out) {
            dev.agentkernel.examples.AgentbusDemo.run(kernel, llm, out);
        }
    };

    final String cliName;

    ExampleName(String cliName) { this.cliName = cliName; }

    abstract void run(AgentKernel kernel, LlmSetup llm, PrintStream out);

    /** Accepts {@code simple_agent}, {@code simple-agent}, any case. */
    static ExampleName parse(String name) {
        String norm = name.toLowerCase(Locale.ROOT).replace('-', '_');
        for (ExampleName e : values()) if (e.cliName.equals(norm)) return e;
        throw new IllegalArgumentException("unknown example '" + name + "'; choose one of " + names());
    }

    static String names() {
        return Arrays.stream(values()).map(e -> e.cliName).collect(Collectors.joining(", "));
    }
}
