package dev.agentkernel.examples;

import dev.agentkernel.Agent;
import dev.agentkernel.AgentInfo;
import dev.agentkernel.AgentKernel;
import dev.agentkernel.AgentStatus;
import dev.agentkernel.HistoryEntry;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.TurnRequest;
import dev.agentkernel.TurnResponse;
import dev.agentkernel.TurnStream;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

import static dev.agentkernel.examples.Await.await;

/**
 * The seed's {@code simple_agent}: spawn a researcher, ask it, stream a turn by hand, then read its
 * history, info and status, kill it and clean up.
 *
 * <pre>bin/agentkernel example simple_agent [--config FILE]</pre>
 */
public final class SimpleAgent {
    private SimpleAgent() {}

    public static void main(String[] args) {
        // The offline notice comes first, before anything else is printed.
        KernelOptions.main(args, (kernel, llm) -> run(kernel, llm, System.out));
    }

    /** Runs the example on {@code kernel}, online or offline depending on {@code LLM_API_KEY}. */
    public static void run(AgentKernel kernel, PrintStream out) {
        try (LlmSetup llm = LlmSetup.fromEnvironment(out)) {
            run(kernel, llm, out);
        }
    }

    public static void run(AgentKernel kernel, LlmSetup llm, PrintStream out) {
        try {
            steps(kernel, llm, out);
        } finally {
            // Whatever happened above, leave no agent process behind.
            await(kernel.cleanup());
        }
    }

    private static void steps(AgentKernel kernel, LlmSetup llm, PrintStream out) {
        out.println("== Spawn an agent");
        SpawnResult result = await(kernel.spawner().spawn(SpawnRequest.builder()
                .name("researcher")
                .agentType("openclaw")
                .metadata(Map.of("role", "research"))
                .spawnInfo(OpenClawSpawnInfo.builder()
                        .systemPrompt("You are a research specialist. Be thorough and cite sources.")
                        .model(OpenClawSpawnInfo.DEFAULT_MODEL)
                        .apiKey(llm.apiKey())
                        .baseUrl(llm.baseUrl())
                        .build())
                .build()));
        Agent agent = result.agent();
        String nonce = result.nonce(); // secret: required for every turn, never printed
        out.println("Spawned: " + agent.id() + " (" + agent.name() + ")");

        out.println();
        out.println("== Send a message (ask)");
        String question = llm.prompt("What are the latest findings on quantum error correction?",
                "First look around your workspace. [[bash: ls -la]]");
        out.println("> " + question);
        String answer = kernel.agentClient().ask(agent.id(), nonce, question, chunk -> showTool(chunk, out));
        out.println(answer);

        out.println();
        out.println("== Manual streaming (turn)");
        String followUp = llm.prompt("Summarise that in two sentences.", "[[slow: 15]]");
        out.println("> " + followUp);
        StringBuilder full = new StringBuilder();
        try (TurnStream stream = kernel.agentClient().turn(TurnRequest.userMessage(agent.id(), nonce, followUp))) {
            for (TurnResponse chunk : stream) {
                if (chunk.isText() && chunk.body() != null && !chunk.body().isEmpty()) {
                    out.print(chunk.body());
                    out.flush();
                    full.append(chunk.body());
                }
                if (chunk.error() != null) {
                    out.println();
                    out.println("Error: " + chunk.error());
                }
            }
        }
        out.println();
        out.println("(" + full.length() + " characters streamed)");

        out.println();
        out.println("== History (last 5)");
        List<HistoryEntry> history = await(kernel.agentClient().getHistory(agent.id(), 5));
        for (HistoryEntry entry : history) {
            out.println("[" + entry.role() + "] " + firstChars(entry.content(), 100).replace('\n', ' '));
        }

        out.println();
        out.println("== Agent info");
        AgentInfo info = await(kernel.agentClient().getInfo(agent.id()));
        out.println("pid=" + info.pid() + "  cwd=" + info.cwd() + "  uid=" + info.uid());

        out.println();
        out.println("== Status");
        printStatus(await(kernel.status()), out);

        out.println();
        out.println("== Kill");
        await(kernel.spawner().kill(agent.id()));
        out.println("Killed " + agent.id());

        out.println();
        out.println("== Clean up");
        await(kernel.cleanup());
        out.println("Done: every agent this kernel started is stopped.");
    }

    /** Tool calls do not appear in the answer text, so show them as they happen. */
    static void showTool(TurnResponse chunk, PrintStream out) {
        if (chunk.isToolUse()) {
            out.println("  [tool call] " + chunk.tool() + " " + chunk.toolInput());
        } else if (chunk.isToolResult()) {
            out.println("  [tool result] " + firstChars(chunk.toolOutput(), 200).replace("\n", "\n                ")
                    + (chunk.toolIsError() ? "  (error)" : ""));
        }
    }

    static void printStatus(List<AgentStatus> statuses, PrintStream out) {
        if (statuses.isEmpty()) out.println("(no agents)");
        for (AgentStatus s : statuses) {
            StringBuilder line = new StringBuilder(s.name() + ": state=" + s.state() + " live=" + s.live());
            if (s.podPhase() != null) line.append(" pod=").append(s.podPhase());
            if (s.processAlive() != null) line.append(" process_alive=").append(s.processAlive());
            out.println(line);
        }
    }

    static String firstChars(String text, int n) {
        if (text == null) return "";
        String flat = text.strip();
        return flat.length() <= n ? flat : flat.substring(0, n) + "...";
    }
}
