package dev.agentkernel.cli;

import dev.agentkernel.protocol.RunnerConfig;
import dev.agentkernel.bus.AgentBusClient;
import dev.agentkernel.bus.BusEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code agentkernel bus tail <agent-id>}: an agent's AgentBus log in the terminal (docs/agentbus.md). */
@Command(name = "bus", mixinStandardHelpOptions = true,
        description = "Read an agent's AgentBus log (LLM calls, tool calls, votes, decisions).",
        subcommands = {BusCommand.Tail.class})
final class BusCommand implements Runnable {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(main.out());
    }

    @Command(name = "tail", mixinStandardHelpOptions = true,
            description = {"Print a local agent's bus log and follow it (Ctrl-C stops). The nonce and bus port come from",
                    "the agent's config.json in the state directory. For a pod: kubectl port-forward pod/agent-<id> 8095:8095,",
                    "then --url http://127.0.0.1:8095 --bus-id <name>.<agent-id> with the nonce in $AGENTKERNEL_NONCE."})
    static final class Tail implements Callable<Integer> {
        @ParentCommand BusCommand bus;
        @Spec CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", paramLabel = "AGENT_ID", description = "A local agent's id.")
        String agentId;

        @Option(names = "--state-dir", paramLabel = "DIR", description = "State directory (default $AGENTKERNEL_HOME or ~/.agentkernel).")
        Path stateDir;

        @Option(names = "--from", paramLabel = "N", defaultValue = "0", description = "First position to print (default 0).")
        long from;

        @Option(names = "--once", description = "Print what is there and exit instead of following.")
        boolean once;

        @Option(names = "--url", paramLabel = "URL", description = "The bus URL (e.g. through kubectl port-forward) instead of a local agent.")
        URI url;

        @Option(names = "--bus-id", paramLabel = "ID", description = "With --url: the bus id, {agent_name}.{agent_id}.")
        String busId;

        @Override
        public Integer call() {
            AgentBusClient client = client();
            PrintStream out = bus.main.out();
            out.println("# bus " + client.busId() + " at " + client.baseUrl() + (once ? "" : " (following; Ctrl-C stops)"));
            if (once) {
                List<BusEntry> entries = client.entries(from);
                entries.forEach(e -> print(out, e));
                return 0;
            }
            for (BusEntry e : client.follow(from)) {
                print(out, e);
            }
            return 0;
        }

        private AgentBusClient client() {
            if (url != null) {
                String nonce = bus.main.env().get(RunnerConfig.ENV_NONCE);
                if (busId == null || nonce == null || nonce.isBlank()) {
                    throw new ParameterException(spec.commandLine(), "--url needs --bus-id <name>.<agent-id> and the agent's nonce in "
                            + "the environment variable " + RunnerConfig.ENV_NONCE + " (never on the command line, where ps shows it)");
                }
                return AgentBusClient.connect(url, busId, nonce);
            }
            if (agentId == null) {
                throw new ParameterException(spec.commandLine(), "name the agent: agentkernel bus tail <agent-id> "
                        + "(agentkernel status lists them), or use --url for a port-forwarded pod");
            }
            return AgentBusClient.forAgentDir(bus.main.stateDir(stateDir).resolve("agents").resolve(agentId));
        }

        private static void print(PrintStream out, BusEntry e) {
            String time = e.timestamp().length() >= 23 ? e.timestamp().substring(11, 23) : e.timestamp();
            out.printf("%5d %s %-16s %s%n", e.position(), time, e.type(), e.summary());
            out.flush();
        }
    }
}
