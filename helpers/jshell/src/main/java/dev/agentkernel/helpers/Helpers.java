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
            String answer = new Turn(client, agentId, nonce, message, view).run();
            if (display.isRich()) ShownValues.mark(answer); // shown live: a cell ending in ask(...) needs no Out[]
            return answer;
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

    /** The last {@code lastN} messages of the agent's conversation as a table ({@code lastN <= 0}: all). */
    public static void printHistory(AgentKernel kernel, SpawnResult agent, int lastN) {
        printHistory(kernel, requireAgent(agent).agent().id(), lastN);
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

    // ---------------------------------------------------------------- display (as IJava/JJava offer it)

    /**
     * Shows {@code value} now as its own output and returns its display id for {@link #updateDisplay}:
     * {@link Markdown}, {@link HTML}, {@link PngImage} (see {@link #image}), a {@code BufferedImage}, the kernel's
     * value types as tables, anything else as text. At a console it prints the text form.
     */
    public static String display(Object value) {
        return displayBundle(Rendering.mimeBundle(value));
    }

    /**
     * Shows {@code value} as the given MIME types only (plus {@code text/plain}), e.g.
     * {@code display("<b>bold</b>", "text/html")}: a string (or, for an image type, PNG bytes) is taken as the
     * content of a type its rendering lacks.
     */
    public static String display(Object value, String... mimeTypes) {
        return displayBundle(restrict(value, mimeTypes));
    }

    /** Replaces the output {@code display(...)} returned {@code displayId} for; a console prints it again. */
    public static void updateDisplay(String displayId, Object value) {
        Display.current().updateDisplay(requireDisplayId(displayId), Rendering.mimeBundle(value));
    }

    public static void updateDisplay(String displayId, Object value, String... mimeTypes) {
        Display.current().updateDisplay(requireDisplayId(displayId), restrict(value, mimeTypes));
    }

    /** Markdown to display or to end a cell with: {@code markdown("**done**")}. */
    public static Markdown markdown(String text) {
        return new Markdown(text);
    }

    /** Trusted HTML to display or to end a cell with (escape an agent's text with {@code Table.escape}). */
    public static HTML html(String html) {
        return new HTML(html);
    }

    /** An {@code image/png} from a {@code BufferedImage}. */
    public static PngImage image(java.awt.image.BufferedImage image) {
        return PngImage.of(image);
    }

    /** An {@code image/png} from the bytes of a PNG file. */
    public static PngImage image(byte[] png) {
        return PngImage.of(png);
    }

    private static String displayBundle(MimeBundle bundle) {
        String displayId = "agentkernel-" + java.util.UUID.randomUUID();
        Display.current().display(bundle, displayId);
        return displayId;
    }

    private static String requireDisplayId(String displayId) {
        return Turn.requireText(displayId, "displayId", "the id display(...) returned");
    }

    private static MimeBundle restrict(Object value, String... mimeTypes) {
        if (mimeTypes == null || mimeTypes.length == 0) return Rendering.mimeBundle(value);
        MimeBundle full = Rendering.mimeBundle(value);
        Map<String, String> data = new java.util.LinkedHashMap<>();
        data.put(MimeBundle.TEXT, full.plainText());
        for (String type : mimeTypes) {
            Turn.requireText(type, "MIME type", "a type such as \"text/html\"");
            if (full.data().containsKey(type)) {
                data.put(type, full.data().get(type));
            } else if (type.startsWith("image/") && value instanceof byte[] bytes) {
                data.put(type, java.util.Base64.getEncoder().encodeToString(bytes));
            } else if (value instanceof CharSequence text) {
                data.put(type, text.toString());
            } else {
                throw new IllegalArgumentException("cannot show a " + (value == null ? "null" : value.getClass().getName())
                        + " as " + type + ": it renders as " + full.data().keySet()
                        + "; pass a String holding the " + type + " content, or one of those types");
            }
        }
        return new MimeBundle(data);
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
