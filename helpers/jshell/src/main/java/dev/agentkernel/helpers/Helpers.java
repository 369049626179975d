package dev.agentkernel.helpers;

import dev.agentkernel.AgentClient;
import dev.agentkernel.AgentInfo;
import dev.agentkernel.AgentKernel;
import dev.agentkernel.AgentKernelException;
import dev.agentkernel.AgentStatus;
import dev.agentkernel.CreateTeamRequest;
import dev.agentkernel.HistoryEntry;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.Team;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What a JShell session or notebook cell calls, imported with
 * {@code import static dev.agentkernel.helpers.Helpers.*;} (agentkernel.jsh does it). Each seed snippet
 * becomes a line or two:
 * <pre>{@code
 * var kernel = localKernel();
 * var researcher = spawn(kernel, "researcher", openclaw("You are a research specialist."));
 * String answer = ask(kernel, researcher, "What are the latest findings on topic X?");
 * var both = awaitAll(askAsync(kernel, a, "..."), askAsync(kernel, b, "..."));
 * }</pre>
 * Blocking helpers wait on the calling thread; {@code askAsync} runs the turn on a background thread.
 */
public final class Helpers {
    /** Background turns of askAsync; daemon threads so a forgotten turn never keeps the JVM alive. */
    private static final ExecutorService BACKGROUND = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("agentkernel-ask-", 0).factory());

    private Helpers() {}

    // ---------------------------------------------------------------- futures

    /**
     * Waits for {@code future} and returns its value. A failure is rethrown as its cause: unchecked
     * exceptions (every {@link AgentKernelException}) as they are, checked ones wrapped in
     * AgentKernelException. An interrupted wait cancels the future and throws
     * {@link AwaitInterruptedException}.
     */
    public static <T> T await(CompletableFuture<T> future) {
        return Futures.await(future);
    }

    /** Waits for all futures; their values in argument order. The first failing future's error is thrown. */
    public static List<Object> awaitAll(CompletableFuture<?>... futures) {
        return Futures.awaitAll(futures);
    }

    /** Two futures with their types kept: {@code var p = awaitAll(a, b); p.first(); p.second()}. */
    @SuppressWarnings("unchecked")
    public static <A, B> Pair<A, B> awaitAll(CompletableFuture<A> first, CompletableFuture<B> second) {
        List<Object> values = Futures.awaitAll(first, second);
        return new Pair<>((A) values.get(0), (B) values.get(1));
    }

    // ---------------------------------------------------------------- kernels and spawning

    /** {@code AgentKernel.local(new OpenClawPlugin())}, tracked so the session's end kills its agents. */
    public static AgentKernel localKernel() {
        return Session.track(AgentKernel.local(new OpenClawPlugin()));
    }

    /**
     * A {@code sandbox} kernel (docs/sandbox.md): every agent under bubblewrap, in its own network namespace that
     * reaches only its LLM endpoint. Tracked so the session's end kills its agents.
     */
    public static AgentKernel sandboxKernel() {
        return sandboxKernel(dev.agentkernel.config.SandboxSettings.defaults());
    }

    /** A {@code sandbox} kernel with these network settings, e.g. {@code SandboxSettings.isolated("pypi.org:443")}. */
    public static AgentKernel sandboxKernel(dev.agentkernel.config.SandboxSettings sandbox) {
        return Session.track(AgentKernel.builder().backend("sandbox").sandbox(sandbox).plugin(new OpenClawPlugin()).build());
    }

    /**
     * An OpenClaw spawn info builder with the system prompt set, the API key from {@code LLM_API_KEY} and
     * the base URL from {@code AGENTKERNEL_LLM_BASE_URL} (or what {@link #useLlm} set). Chain more settings
     * ({@code .model(..).thinkingLevel(..)}) and pass it to {@code spawn}.
     */
    public static OpenClawSpawnInfo.Builder openclaw(String systemPrompt) {
        OpenClawSpawnInfo.Builder builder = OpenClawSpawnInfo.builder()
                .systemPrompt(systemPrompt == null ? "" : systemPrompt)
                .apiKey(LlmDefaults.apiKey());
        String baseUrl = LlmDefaults.baseUrl();
        if (baseUrl != null) builder.baseUrl(baseUrl);
        return builder;
    }

    /**
     * Points later {@code openclaw(...)} infos at {@code baseUrl} with {@code apiKey} for the rest of the
     * session (e.g. a scripted LLM server when no real key is available); nulls restore the environment's.
     */
    public static void useLlm(String baseUrl, String apiKey) {
        LlmDefaults.set(baseUrl, apiKey);
    }

    /**
     * Starts the scripted LLM server in this JVM (or reuses the one already started) and points later
     * {@code openclaw(...)} infos at it, for running without an API key: it echoes messages and obeys the
     * {@code [[...]]} directives of docs/architecture.md ({@code [[reply: ...]]}, {@code [[bash: ...]]}, ...).
     * Needs the agentkernel-fake-llm jar on the class path (bin/agentkernel jshell and the notebook kernel have it);
     * closing it stops the server and points {@code openclaw(...)} back at the environment's LLM.
     */
    public static ScriptedLlm scriptedLlm() {
        return ScriptedLlm.startOrReuse();
    }

    /**
     * The start-up line of a session: how to begin, and, when no API key is set (no {@code LLM_API_KEY}, no
     * {@link #useLlm}), that agents need one or the offline scripted LLM.
     */
    public static String banner() {
        String ready = "AgentKernel for Java ready: var kernel = localKernel(); var r = spawn(kernel, \"researcher\","
                + " openclaw(\"You are a researcher.\")); ask(kernel, r, \"hi\")";
        return LlmDefaults.apiKey().isBlank() ? ready + "  |  " + LlmDefaults.NO_KEY_HINT : ready;
    }

    /** Spawns an agent named {@code name} and waits until it is ready. */
    public static SpawnResult spawn(AgentKernel kernel, String name, SpawnInfo info) {
        return spawn(kernel, name, "", info);
    }

    public static SpawnResult spawn(AgentKernel kernel, String name, OpenClawSpawnInfo.Builder info) {
        return spawn(kernel, name, "", requireInfo(info).build());
    }

    /** Spawns into team {@code teamId} (created beforehand with {@link #createTeam}). */
    public static SpawnResult spawn(AgentKernel kernel, String name, String teamId, SpawnInfo info) {
        requireInfo(info);
        return spawn(kernel, SpawnRequest.builder().name(Turn.requireText(name, "name", "a name such as \"researcher\""))
                .teamId(teamId == null ? "" : teamId).agentType(info.agentType()).spawnInfo(info).build());
    }

    public static SpawnResult spawn(AgentKernel kernel, String name, String teamId, OpenClawSpawnInfo.Builder info) {
        return spawn(kernel, name, teamId, requireInfo(info).build());
    }

    public static SpawnResult spawn(AgentKernel kernel, SpawnRequest request) {
        return await(requireKernel(kernel).spawner().spawn(request));
    }

    /** Kills the agent (frees its team capacity). */
    public static void kill(AgentKernel kernel, SpawnResult agent) {
        kill(kernel, requireAgent(agent).agent().id());
    }

    public static void kill(AgentKernel kernel, String agentId) {
        await(requireKernel(kernel).spawner().kill(agentId));
    }

    /** Reserves {@code cpu} cores for team {@code teamId}. */
    public static Team createTeam(AgentKernel kernel, String teamId, double cpu) {
        return await(requireKernel(kernel).spawner().createTeam(new CreateTeamRequest(teamId, Map.of("cpu", cpu))));
    }

    /** Kills the team's agents, then removes the team. */
    public static void deleteTeam(AgentKernel kernel, String teamId) {
        await(requireKernel(kernel).spawner().deleteTeam(teamId));
    }

    // ---------------------------------------------------------------- turns

    /**
     * Sends {@code message} and returns the agent's full text. In a notebook (a rich {@link Display}) the
     * turn also streams into the cell as it arrives; at a console it is silent (print the result, or use
     * {@link #stream}). A cell interrupt ({@link Interrupts#interruptAll()}) cancels the turn at the agent
     * and throws {@link TurnInterruptedException}; an error chunk throws {@code TurnFailedException}.
     */
    public static String ask(AgentKernel kernel, String agentId, String nonce, String message) {
        return ask(requireKernel(kernel).agentClient(), agentId, nonce, message);
    }

    public static String ask(AgentKernel kernel, SpawnResult agent, String message) {
        return ask(kernel, requireAgent(agent).agent().id(), agent.nonce(), message);
    }

    public static String ask(AgentClient client, String agentId, String nonce, String message) {
        Display display = Display.current();
        return display.isRich() ? live(client, agentId, nonce, message, display)
                : new Turn(client, agentId, nonce, message, chunk -> {}).run();
    }

    /** Like {@code ask}, but always prints the turn live on the current display, console included. */
    public static String stream(AgentKernel kernel, String agentId, String nonce, String message) {
        return stream(requireKernel(kernel).agentClient(), agentId, nonce, message);
    }

    public static String stream(AgentKernel kernel, SpawnResult agent, String message) {
        return stream(kernel, requireAgent(agent).agent().id(), agent.nonce(), message);
    }

    public static String stream(AgentClient client, String agentId, String nonce, String message) {
        return live(client, agentId, nonce, message, Display.current());
    }

    /**
     * Runs the turn on a background thread and completes with the full text. Background turns print
     * nothing (several at once would interleave in one cell); look at the answers once {@code awaitAll}
     * returns. An interrupt or {@code cancel} on the future cancels the turn at the agent.
     */
    public static CompletableFuture<String> askAsync(AgentKernel kernel, String agentId, String nonce, String message) {
        return askAsync(requireKernel(kernel).agentClient(), agentId, nonce, message);
    }

    public static CompletableFuture<String> askAsync(AgentKernel kernel, SpawnResult agent, String message) {
        return askAsync(kernel, requireAgent(agent).agent().id(), agent.nonce(), message);
    }

    public static CompletableFuture<String> askAsync(AgentClient client, String agentId, String nonce, String message) {
        Turn turn = new Turn(client, agentId, nonce, message, chunk -> {});
        CompletableFuture<String> future = new CompletableFuture<>();
        future.whenComplete((value, error) -> {
            if (future.isCancelled()) turn.cancel();
        });
        BACKGROUND.execute(() -> {
            try {
                future.complete(turn.run());
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        });
        return future;
    }

    private static String live(AgentClient client, String agentId, String nonce, String message, Display display) {
        TurnView view = new TurnView(display);
        try {
            return new Turn(client, agentId, nonce, message, view).run();
        } finally {
            view.finish();
        }
    }

    // ---------------------------------------------------------------- looking at agents

    /** The whole conversation, oldest first. */
    public static List<HistoryEntry> history(AgentKernel kernel, String agentId) {
        return history(kernel, agentId, 0);
    }

    /** The last {@code lastN} messages, oldest first ({@code lastN <= 0}: all). */
    public static List<HistoryEntry> history(AgentKernel kernel, String agentId, int lastN) {
        return await(requireKernel(kernel).agentClient().getHistory(agentId, lastN));
    }

    public static List<HistoryEntry> history(AgentKernel kernel, SpawnResult agent) {
        return history(kernel, requireAgent(agent).agent().id(), 0);
    }

    /** Shows the conversation as a table (HTML in a notebook, aligned text at a console). */
    public static void printHistory(AgentKernel kernel, String agentId) {
        printHistory(kernel, agentId, 0);
    }

    public static void printHistory(AgentKernel kernel, String agentId, int lastN) {
        List<HistoryEntry> entries = history(kernel, agentId, lastN);
        if (entries.isEmpty()) Display.current().print("(no messages yet)\n");
        else show(entries);
    }

    public static void printHistory(AgentKernel kernel, SpawnResult agent) {
        printHistory(kernel, requireAgent(agent).agent().id(), 0);
    }

    public static AgentInfo info(AgentKernel kernel, String agentId) {
        return await(requireKernel(kernel).agentClient().getInfo(agentId));
    }

    public static AgentInfo info(AgentKernel kernel, SpawnResult agent) {
        return info(kernel, requireAgent(agent).agent().id());
    }

    /** {@code await(kernel.status())}. */
    public static List<AgentStatus> status(AgentKernel kernel) {
        return await(requireKernel(kernel).status());
    }

    /** Shows every agent's status as a table. */
    public static void statusTable(AgentKernel kernel) {
        List<AgentStatus> statuses = status(kernel);
        if (statuses.isEmpty()) Display.current().print("(no agents)\n");
        else show(statuses);
    }

    /** The agent's AgentBus log, oldest first; {@code show(...)} renders it as a table. See {@link BusView}. */
    public static List<dev.agentkernel.bus.BusEntry> busEntries(AgentKernel kernel, String agentId) {
        return BusView.busEntries(kernel, agentId);
    }

    /** A live table of the agent's bus during its next turn; returns the entries seen. See {@link BusView#watchBus}. */
    public static List<dev.agentkernel.bus.BusEntry> watchBus(AgentKernel kernel, String agentId) {
        return BusView.watchBus(kernel, agentId);
    }

    /** Approves a pending AgentBus intention (the agent must be spawned with the {@code external} voter). */
    public static void approve(AgentKernel kernel, String agentId, String intentionId) {
        BusView.approve(kernel, agentId, intentionId);
    }

    /** Rejects a pending AgentBus intention; the agent is told {@code reason}. */
    public static void reject(AgentKernel kernel, String agentId, String intentionId, String reason) {
        BusView.reject(kernel, agentId, intentionId, reason);
    }

    /** Shows a kernel value as a table ({@link Rendering}); anything else as its {@code toString}. */
    public static void show(Object value) {
        Display display = Display.current();
        var html = Rendering.html(value);
        if (html.isPresent()) display.html(html.get(), Rendering.text(value).orElseThrow());
        else display.print(value + "\n");
    }

    private static AgentKernel requireKernel(AgentKernel kernel) {
        return Objects.requireNonNull(kernel, "kernel is null: create one first, e.g. var kernel = localKernel();");
    }

    private static <I> I requireInfo(I info) {
        return Objects.requireNonNull(info, "spawn info is null: pass e.g. openclaw(\"You are a helpful assistant.\")");
    }

    private static SpawnResult requireAgent(SpawnResult agent) {
        Objects.requireNonNull(agent, "spawn result is null: pass what spawn(...) returned");
        Objects.requireNonNull(agent.agent(), "the spawn result has no agent");
        return agent;
    }
}
