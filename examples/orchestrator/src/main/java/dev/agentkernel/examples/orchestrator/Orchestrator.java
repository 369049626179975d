package dev.agentkernel.examples.orchestrator;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.AgentKernelException;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.helpers.Skill;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The seed's "Fan-out / Fan-in" with an LLM writing the code: an orchestrator agent, whose system prompt is the
 * AgentKernel skill, answers a task with helpers blocks; this host runs them in one JShell session (helpers
 * preloaded, {@code kernel} and {@code synthesisFile} defined), sends the output back, and repeats until the
 * orchestrator answers without blocks. Its blocks spawn two workers, ask them in parallel and write the synthesis.
 *
 * <p>Offline, the orchestrator's model is the scripted LLM, scripted ({@link FakeLlmServer#whenAsked}) with the
 * answers in {@code plan.md} and {@code summary.md}; the workers get its echo. With {@code LLM_API_KEY} set, a real
 * model plans from the skill alone.
 */
public final class Orchestrator {
    /** Starts the task message: what the scripted model's plan answers. */
    public static final String TASK_MARKER = "Task for the orchestrator:";
    /** Starts each message that carries the blocks' output back: what the scripted model's summary answers. */
    public static final String OUTPUT_MARKER = "Output of your helpers blocks";
    public static final String DEFAULT_TASK = "Find what is known about quantum error correction and weigh the cost"
            + " of approach X; write one synthesis of both.";
    /** A model that keeps answering with blocks is stopped: each round may spawn agents. */
    public static final int MAX_ROUNDS = 6;
    /** What the model is sent of one round's output; more is cut, with a note. */
    static final int MAX_OUTPUT_CHARS = 16_000;
    static final String OFFLINE_KEY = "offline-key";

    private Orchestrator() {}

    /**
     * @param backend       where the orchestrator and its workers run: {@code local} or {@code sandbox}
     * @param stateDir      the kernels' state directory (agents, logs)
     * @param synthesisFile where the orchestrator's blocks write the synthesis
     * @param task          what the orchestrator is asked to do
     * @param offline       use the scripted LLM even when {@code LLM_API_KEY} is set
     */
    public record Options(String backend, Path stateDir, Path synthesisFile, String task, boolean offline) {
        public Options {
            Objects.requireNonNull(backend, "backend: local or sandbox");
            Objects.requireNonNull(stateDir, "stateDir: where the agents live");
            Objects.requireNonNull(synthesisFile, "synthesisFile: where the synthesis goes");
            task = task == null || task.isBlank() ? DEFAULT_TASK : task;
        }
    }

    /** One exchange: the orchestrator's answer and, when it held blocks, what running them gave. */
    public record Round(String answer, String blockOutput, boolean failed) {}

    public record Result(List<Round> rounds, String finalAnswer, Path synthesisFile) {}

    public static Result run(Options options, PrintStream out) {
        return run(options, System.getenv(), out);
    }

    /** As {@link #run(Options, PrintStream)}, with {@code LLM_API_KEY} and {@code AGENTKERNEL_LLM_BASE_URL} from {@code env}. */
    public static Result run(Options options, java.util.Map<String, String> env, PrintStream out) {
        String apiKey = env.get("LLM_API_KEY");
        boolean offline = options.offline() || apiKey == null || apiKey.isBlank();
        return run(options, offline ? scriptedModel() : null, env, out);
    }

    /** With {@code llm} (closed at the end) as the model of everyone, or the environment's LLM when it is null. */
    static Result run(Options options, FakeLlmServer llm, java.util.Map<String, String> env, PrintStream out) {
        String apiKey = env.get("LLM_API_KEY");
        boolean offline = llm != null;
        String baseUrl = offline ? llm.anthropicBaseUrl() : env.get("AGENTKERNEL_LLM_BASE_URL");
        if (offline) apiKey = OFFLINE_KEY;
        out.println(offline ? "offline: the orchestrator's model is the scripted LLM at " + baseUrl
                : "online: the orchestrator plans with " + (baseUrl == null ? "the provider's API" : baseUrl));
        try (AgentKernel host = AgentKernel.builder().backend(options.backend()).plugin(new OpenClawPlugin())
                .stateDir(options.stateDir()).build();
             BlockRunner session = new BlockRunner()) {
            try {
                prepare(session, options, offline ? baseUrl : null);
                return converse(host, session, options, spawnInfo(apiKey, baseUrl), out);
            } finally {
                // The workers' kernel lives in the session: close it there, and undo the session's LLM choice.
                session.run("<helpers>\nkernel.close();\n</helpers>");
                session.run("<helpers>\nuseLlm(null, null);\n</helpers>");
            }
        } finally {
            if (llm != null) llm.close();
        }
    }

    private static Result converse(AgentKernel host, BlockRunner session, Options options, OpenClawSpawnInfo info,
                                   PrintStream out) {
        SpawnResult orchestrator = host.spawner().spawn(SpawnRequest.builder().name("orchestrator")
                .agentType("openclaw").spawnInfo(info).build()).join();
        String id = orchestrator.agent().id();
        List<Round> rounds = new ArrayList<>();
        String answer = host.ask(id, orchestrator.nonce(), taskMessage(options.task()));
        for (int round = 1; BlockRunner.hasBlocks(answer); round++) {
            if (round > MAX_ROUNDS) {
                throw new AgentKernelException("the orchestrator still answered with helpers blocks after " + MAX_ROUNDS
                        + " rounds; its last answer is above. Give it a smaller task, or raise Orchestrator.MAX_ROUNDS");
            }
            out.println("── orchestrator, round " + round + " ──");
            out.println(answer.strip());
            BlockRunner.Outcome outcome = session.run(answer);
            String report = clip(outcome.report());
            out.println("── its blocks " + (outcome.failed() ? "failed" : "ran") + " ──");
            out.print(report);
            rounds.add(new Round(answer, report, outcome.failed()));
            answer = host.ask(id, orchestrator.nonce(), OUTPUT_MARKER + " (round " + round + (outcome.failed()
                    ? ", they stopped at an error; fix it and answer with new blocks" : "") + "):\n" + report);
        }
        out.println("── orchestrator, final ──");
        out.println(answer.strip());
        rounds.add(new Round(answer, null, false));
        return new Result(List.copyOf(rounds), answer, options.synthesisFile());
    }

    /** The session the orchestrator's blocks run in: the workers' kernel and the synthesis path, named in the task. */
    private static void prepare(BlockRunner session, Options options, String scriptedBaseUrl) {
        StringBuilder code = new StringBuilder("<helpers>\n");
        if (scriptedBaseUrl != null) code.append("useLlm(").append(literal(scriptedBaseUrl)).append(", ")
                .append(literal(OFFLINE_KEY)).append(");\n");
        code.append("var kernel = Session.track(AgentKernel.builder().backend(").append(literal(options.backend()))
                .append(").plugin(new OpenClawPlugin()).stateDir(Path.of(")
                .append(literal(options.stateDir().toAbsolutePath().toString())).append(")).build());\n");
        code.append("Path synthesisFile = Path.of(").append(literal(options.synthesisFile().toAbsolutePath().toString()))
                .append(");\n</helpers>");
        BlockRunner.Outcome outcome = session.run(code.toString());
        if (outcome.failed()) throw new AgentKernelException("cannot prepare the orchestrator's session: " + outcome.error());
    }

    static String taskMessage(String task) {
        return TASK_MARKER + " " + task + "\n\nThe session already holds `kernel` (an AgentKernel for your workers) and"
                + " `synthesisFile` (a Path). Spawn the specialists you need, ask them in parallel, write the synthesis"
                + " to synthesisFile and kill your workers. Answer with helpers blocks: I run them and send you their"
                + " output. When the work is done, answer without blocks.";
    }

    private static OpenClawSpawnInfo spawnInfo(String apiKey, String baseUrl) {
        OpenClawSpawnInfo.Builder info = OpenClawSpawnInfo.builder()
                .systemPrompt(Skill.markdown() + "\n\nYou are the orchestrator. You do not run commands yourself: you"
                        + " answer with helpers blocks that the host runs in its AgentKernel session.")
                .tools(List.of())
                .apiKey(apiKey);
        if (baseUrl != null && !baseUrl.isBlank()) info.baseUrl(baseUrl);
        return info.build();
    }

    /** The scripted LLM, scripted to plan like an orchestrator that has read the skill. */
    static FakeLlmServer scriptedModel() {
        FakeLlmServer server = FakeLlmServer.start(0);
        return server.whenAsked(TASK_MARKER, resource("plan.md")).whenAsked(OUTPUT_MARKER, resource("summary.md"));
    }

    static String resource(String name) {
        try (InputStream in = Orchestrator.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " is missing next to " + Orchestrator.class.getName());
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String clip(String text) {
        if (text.length() <= MAX_OUTPUT_CHARS) return text;
        return text.substring(0, MAX_OUTPUT_CHARS) + "\n[output cut: " + (text.length() - MAX_OUTPUT_CHARS)
                + " more characters; print less]\n";
    }

    /** {@code text} as a Java string literal. */
    static String literal(String text) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '\\' -> s.append("\\\\");
                case '"' -> s.append("\\\"");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                default -> {
                    if (c < 0x20) s.append(String.format("\\u%04x", (int) c));
                    else s.append(c);
                }
            }
        }
        return s.append('"').toString();
    }
}
