package dev.agentkernel.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.Agent;
import dev.agentkernel.AgentKernel;
import dev.agentkernel.AgentKernelException;
import dev.agentkernel.AgentNotFoundException;
import dev.agentkernel.AgentStatus;
import dev.agentkernel.HistoryEntry;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.Ask;
import dev.agentkernel.AskCancelledException;
import dev.agentkernel.bus.BusEntry;
import dev.agentkernel.cells.CellRunner;
import dev.agentkernel.helpers.Display;
import dev.agentkernel.helpers.Helpers;
import dev.agentkernel.helpers.Interrupts;
import dev.agentkernel.helpers.JShellLauncher;
import dev.agentkernel.helpers.Rendering;
import dev.agentkernel.helpers.Session;
import dev.agentkernel.helpers.Skill;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * {@code bin/agentkernel mcp}: a Model Context Protocol server over stdio (the official Java SDK) holding one JShell
 * session ({@link CellRunner}) with the notebook's helpers. Tools: {@code run_helpers} (a cell: {@code <helpers>}
 * blocks or plain Java), {@code spawn_agent}, {@code ask_agent}, {@code agent_status}, {@code kill_agent} (they reach
 * agents spawned by cells too, by id or name; nonces stay in the kernel). Resources: the skill, each agent's history
 * and AgentBus log. Prompt: {@code agentkernel}, the skill.
 *
 * <p>stdout is the protocol channel: at start the real stdout goes to the SDK alone and {@code System.out} becomes
 * stderr, so nothing a cell, a helper or a library prints outside a cell can corrupt it (inside a cell the runner
 * captures it into the result). The server's agents die with it: stdin closed ends it ({@link StdinPump}), SIGTERM
 * runs the kernels' shutdown hooks, and a SIGKILLed server's local runners see their owner pipe close and exit.
 *
 * <p>Measured by McpServerTest (2026-12-05, 2 cores shared with three other builds, load average 10-14): process start
 * to {@code initialize} answered 2.7-6.2 s; {@code run_helpers("1+1")} round trip p50 99-249 ms (n=25); a cancel to its
 * result 61 ms. Those runs are load-bound; rerun the test on a quiet machine for the README.
 */
public final class AgentKernelMcp {
    /** Tool output above this is cut, keeping its head and tail: a client's model context is not a log file. */
    static final int MAX_OUTPUT_CHARS = Integer.getInteger("agentkernel.mcp.maxOutputChars", 40_000);
    static final String SKILL_URI = "agentkernel://skill";
    private static volatile AgentKernel serverKernel;
    private static volatile Path configPath;

    private final McpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
    private final McpDisplay display = new McpDisplay();
    private final Map<String, Runnable> cancels = new ConcurrentHashMap<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private CompletableFuture<CellRunner> runner;

    private AgentKernelMcp() {}

    /** {@code agentkernel mcp [--config agentkernel.yaml]}. */
    public static void main(String[] args) {
        Path config = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) config = Path.of(args[++i]);
            else {
                System.err.println("agentkernel mcp: unknown argument '" + args[i] + "'; usage: agentkernel mcp [--config FILE]");
                System.exit(2);
            }
        }
        System.exit(run(config));
    }

    /**
     * Serves MCP on this process's stdin/stdout until stdin closes; returns the exit code. Takes over
     * {@code System.out} (it becomes stderr) for the rest of the process.
     */
    public static int run(Path config) {
        configPath = config;
        OutputStream protocol = new FileOutputStream(FileDescriptor.out);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        try {
            return new AgentKernelMcp().serve(System.in, protocol);
        } catch (Exception e) {
            System.err.println("agentkernel mcp: " + e.getMessage());
            return 1;
        }
    }

    /**
     * The kernel the tools spawn on, and cells can use as {@code serverKernel()}: {@code --config}'s backend, else
     * local. Created on first use, tracked by the session so the server's end kills its agents.
     */
    public static synchronized AgentKernel kernel() {
        if (serverKernel == null) {
            serverKernel = configPath == null ? Helpers.localKernel()
                    : Session.track(AgentKernel.fromConfig(configPath, new OpenClawPlugin()));
        }
        return serverKernel;
    }

    private int serve(InputStream in, OutputStream protocol) throws Exception {
        Display.install(display);
        StdinPump pump = new StdinPump(in, this::cancel, this::startJShell, this::shutdown);
        StdioServerTransportProvider transport = new StdioServerTransportProvider(json, pump.sdkInput(), protocol);
        McpSyncServer server = McpServer.sync(transport)
                .serverInfo("agentkernel", version())
                .jsonMapper(json)
                .requestTimeout(java.time.Duration.ofDays(1)) // a cell or a turn may take long; the client decides
                .instructions("Run Java against AgentKernel: read the resource " + SKILL_URI + " (or the prompt 'agentkernel'),"
                        + " then call run_helpers with <helpers> blocks. spawn_agent/ask_agent/agent_status/kill_agent do the"
                        + " common moves without code.")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).resources(false, false).prompts(false).logging().build())
                .tools(Tools.all(this))
                .resources(new McpServerFeatures.SyncResourceSpecification(
                        McpSchema.Resource.builder().uri(SKILL_URI).name("agentkernel-skill").title("AgentKernel for Java: the skill")
                                .description("How to spawn and orchestrate agents with <helpers> blocks (SKILL.md)").mimeType("text/markdown").build(),
                        (ex, req) -> text(req.uri(), "text/markdown", Skill.markdown())))
                .resourceTemplates(
                        new McpServerFeatures.SyncResourceTemplateSpecification(
                                new McpSchema.ResourceTemplate("agentkernel://agents/{agent}/history", "agent-history",
                                        "An agent's conversation", "text/plain", null),
                                (ex, req) -> text(req.uri(), "text/plain", history(agentIn(req.uri())))),
                        new McpServerFeatures.SyncResourceTemplateSpecification(
                                new McpSchema.ResourceTemplate("agentkernel://agents/{agent}/bus", "agent-bus",
                                        "An agent's AgentBus log (agents spawned with agentbus(...))", "text/plain", null),
                                (ex, req) -> text(req.uri(), "text/plain", bus(agentIn(req.uri())))))
                .prompts(new McpServerFeatures.SyncPromptSpecification(
                        new McpSchema.Prompt("agentkernel", "Load the AgentKernel for Java skill", List.of()),
                        (ex, req) -> new McpSchema.GetPromptResult("The AgentKernel skill", List.of(new McpSchema.PromptMessage(
                                McpSchema.Role.USER, new McpSchema.TextContent(Skill.markdown()))))))
                .build();
        pump.start();
        done.await();
        server.close();
        return 0;
    }

    // ------------------------------------------------------------------ calls

    CellRunner runner() {
        return startJShell().join();
    }

    /**
     * Starts the JShell session in the background, once: when the client says {@code initialized} (so the JVM's
     * start-up work and JShell's compile do not share the CPU with answering {@code initialize}, as the notebook
     * starts JShell after kernel_info), or at the first call that needs it.
     */
    synchronized CompletableFuture<CellRunner> startJShell() {
        if (runner == null) {
            runner = CompletableFuture.supplyAsync(() -> {
                CellRunner r = new CellRunner(JShellLauncher.classPath(System.getProperty("java.class.path", "")), Rendering::richBundle);
                r.run("AgentKernel serverKernel() { return dev.agentkernel.mcp.AgentKernelMcp.kernel(); }");
                return r;
            }, r -> Thread.ofPlatform().daemon().name("agentkernel-mcp-jshell").start(r));
        }
        return runner;
    }

    private synchronized boolean jshellReady() {
        return runner != null && runner.isDone() && !runner.isCompletedExceptionally();
    }

    /** Registers what cancels request {@code id}; the returned handle unregisters it. */
    AutoCloseable cancellable(McpSchema.CallToolRequest request, Runnable cancel) {
        String id = requestId(request);
        if (id == null) return () -> {};
        cancels.put(id, cancel);
        return () -> cancels.remove(id, cancel);
    }

    private void cancel(String requestId) {
        Runnable cancel = cancels.get(requestId);
        if (cancel != null) cancel.run();
    }

    static String requestId(McpSchema.CallToolRequest request) {
        Object id = request.meta() == null ? null : request.meta().get(StdinPump.REQUEST_ID_META);
        return id == null ? null : id.toString();
    }

    /** Text for the client as the call goes: progress (when it asked, with a token) and a log message. */
    Consumer<String> notifier(McpSyncServerExchange exchange, McpSchema.CallToolRequest request) {
        Object token = request.meta() == null ? null : request.meta().get("progressToken");
        AtomicInteger progress = new AtomicInteger();
        return text -> {
            try {
                if (token != null) {
                    exchange.progressNotification(new McpSchema.ProgressNotification(token, progress.incrementAndGet(), null, text));
                }
                exchange.loggingNotification(McpSchema.LoggingMessageNotification.builder()
                        .level(McpSchema.LoggingLevel.INFO).logger("agentkernel").data(text).build());
            } catch (RuntimeException e) {
                // the client went away mid-call: the result is still computed, nobody hears the stream
            }
        };
    }

    McpDisplay display() {
        return display;
    }

    /** Stops the running cell (it reports Interrupted) and cancels its turns at the agents. */
    void interruptCell() {
        if (jshellReady()) runner.join().stop();
        Interrupts.interruptAll();
    }

    /** stdin closed: the agents go, then the process. */
    void shutdown() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            Interrupts.interruptAll();
            Session.closeAll();
            if (jshellReady()) runner.join().close();
        } finally {
            done.countDown();
        }
    }

    // ------------------------------------------------------------------ agents

    record Found(AgentKernel kernel, Agent agent) {}

    /** An agent of this session by id or name: the tools' kernel and every kernel a cell made. */
    static Found find(String idOrName) {
        if (idOrName == null || idOrName.isBlank()) {
            throw new IllegalArgumentException("agent is missing: pass an agent's id or name (agent_status lists them)");
        }
        List<Found> byName = new ArrayList<>();
        for (AgentKernel k : Session.kernels()) {
            for (Agent a : k.spawner().agents()) {
                if (a.id().equals(idOrName)) return new Found(k, a);
                if (idOrName.equals(a.name())) byName.add(new Found(k, a));
            }
        }
        if (byName.size() == 1) return byName.get(0);
        if (byName.isEmpty()) {
            throw new AgentNotFoundException("no live agent '" + idOrName + "' in this server's session; agent_status lists them");
        }
        throw new AgentKernelException("several agents are named '" + idOrName + "' ("
                + byName.stream().map(f -> f.agent().id()).toList() + "); pass the id");
    }

    static String spawn(String name, String systemPrompt, String model) {
        var info = Helpers.openclaw(systemPrompt);
        if (model != null && !model.isBlank()) info.model(model);
        SpawnResult r = Helpers.spawn(kernel(), name, info);
        return "spawned agent '" + r.agent().name() + "' id=" + r.agent().id() + " state=" + r.agent().state()
                + " backend=" + kernel().backend();
    }

    /**
     * One turn, through the kernel's {@link Ask} (its answer, errors and cancellation, as the notebook's); streams text
     * through {@code onText}; {@code register} gets what cancels it.
     */
    static String ask(String agent, String message, Consumer<String> onText, Consumer<Runnable> register) {
        Found f = find(agent);
        Ask ask = f.kernel().newAsk(f.agent().id(), message);
        register.accept(ask::cancel);
        try {
            return ask.execute(chunk -> {
                if (chunk.isText() && chunk.body() != null && !chunk.body().isEmpty()) onText.accept(chunk.body());
            });
        } catch (AskCancelledException e) {
            throw new AgentKernelException("the turn with agent '" + f.agent().name() + "' was cancelled by the client and at"
                    + " the agent; its conversation keeps what was said so far. Ask again to continue.", e);
        }
    }

    static String status() {
        StringBuilder s = new StringBuilder();
        for (AgentKernel k : Session.kernels()) {
            for (AgentStatus st : Helpers.await(k.status())) {
                s.append(st.name()).append("  id=").append(st.agentId()).append("  state=").append(st.state())
                        .append("  live=").append(st.live()).append("  backend=").append(k.backend()).append('\n');
            }
        }
        return s.isEmpty() ? "(no agents)\n" : s.toString();
    }

    static String kill(String agent) {
        Found f = find(agent);
        Helpers.await(f.kernel().spawner().kill(f.agent().id()));
        return "killed agent '" + f.agent().name() + "' id=" + f.agent().id();
    }

    static String history(String agent) {
        Found f = find(agent);
        StringBuilder s = new StringBuilder();
        for (HistoryEntry e : Helpers.history(f.kernel(), f.agent().id())) {
            s.append(e.role()).append(": ").append(e.content()).append('\n');
        }
        return s.toString();
    }

    static String bus(String agent) {
        Found f = find(agent);
        StringBuilder s = new StringBuilder();
        for (BusEntry e : Helpers.busEntries(f.kernel(), f.agent().id())) {
            s.append(e.position()).append(' ').append(e.type()).append(' ').append(e.summary()).append('\n');
        }
        return s.isEmpty() ? "(empty bus log)\n" : s.toString();
    }

    private static String agentIn(String uri) {
        String rest = uri.substring("agentkernel://agents/".length());
        return java.net.URLDecoder.decode(rest.substring(0, rest.indexOf('/')), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static McpSchema.ReadResourceResult text(String uri, String mime, String text) {
        return new McpSchema.ReadResourceResult(List.of(new McpSchema.TextResourceContents(uri, mime, text)));
    }

    /** Cuts {@code text} above {@link #MAX_OUTPUT_CHARS}, keeping the head and the tail, with a note saying so. */
    static String truncate(String text) {
        if (text.length() <= MAX_OUTPUT_CHARS) return text;
        int head = MAX_OUTPUT_CHARS * 3 / 4;
        int tail = MAX_OUTPUT_CHARS - head;
        return text.substring(0, head) + "\n[agentkernel: output truncated: " + (text.length() - head - tail)
                + " of " + text.length() + " characters cut here; the first " + head + " and the last " + tail
                + " are shown. Print less, or write it to a file and read the part you need.]\n"
                + text.substring(text.length() - tail);
    }

    private static String version() {
        String v = AgentKernelMcp.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
