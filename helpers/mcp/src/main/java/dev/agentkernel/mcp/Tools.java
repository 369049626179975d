package dev.agentkernel.mcp;

import dev.agentkernel.cells.CellRunner;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

/** The server's tools. Errors come back as tool results with {@code isError} and the kernel's typed message. */
final class Tools {
    private Tools() {}

    static List<SyncToolSpecification> all(AgentKernelMcp server) {
        return List.of(
                tool("run_helpers", "Run Java in the server's persistent AgentKernel JShell session: text with <helpers>...</helpers>"
                                + " blocks (only they run) or plain Java. Imports and helpers (localKernel, spawn, openclaw, ask, await,"
                                + " scriptedLlm, ...) are preloaded; variables and agents persist across calls. Returns what it printed,"
                                + " '=> value' and errors (compile errors with line numbers, exceptions with your frames). Read the"
                                + " resource agentkernel://skill first.",
                        schema(Map.of("code", prop("Java, or text holding <helpers> blocks")), "code"),
                        (ex, req) -> runHelpers(server, ex, req)),
                tool("spawn_agent", "Spawn an LLM agent (OpenClaw) on the server's kernel (local, or --config's backend) and wait"
                                + " until it is ready. Returns its id; the nonce stays in the server.",
                        schema(Map.of("name", prop("the agent's name"), "system_prompt", prop("its system prompt"),
                                "model", prop("optional model name")), "name", "system_prompt"),
                        (ex, req) -> simple(() -> AgentKernelMcp.spawn(arg(req, "name"), arg(req, "system_prompt"), arg(req, "model")))),
                tool("ask_agent", "Send a message to an agent (by id or name; also agents spawned by run_helpers) and return its"
                                + " full answer; the text streams as progress/log notifications.",
                        schema(Map.of("agent", prop("the agent's id or name"), "message", prop("what to say")), "agent", "message"),
                        (ex, req) -> askAgent(server, ex, req)),
                tool("agent_status", "List the agents of this session (every kernel: the tools' and those cells made) with state"
                                + " and liveness.",
                        schema(Map.of()),
                        (ex, req) -> simple(AgentKernelMcp::status)),
                tool("kill_agent", "Kill an agent by id or name.",
                        schema(Map.of("agent", prop("the agent's id or name")), "agent"),
                        (ex, req) -> simple(() -> AgentKernelMcp.kill(arg(req, "agent")))));
    }

    private static CallToolResult runHelpers(AgentKernelMcp server, McpSyncServerExchange ex, CallToolRequest req) {
        String code = arg(req, "code");
        if (code == null) return error("run_helpers needs 'code': Java, or text holding <helpers> blocks");
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicBoolean started = new AtomicBoolean();
        java.util.concurrent.CompletableFuture<Void> cancel = new java.util.concurrent.CompletableFuture<>();
        CellRunner.Result result;
        // registered before waiting for JShell (it starts in the background) or for the cell ahead of this one: a
        // cancellation that comes first must not be lost
        try (AutoCloseable c = server.cancellable(req, () -> {
            cancelled.set(true);
            cancel.complete(null);
            if (started.get()) server.interruptCell();
        })) {
            // a call cancelled while JShell still starts answers at once, not when JShell is up (12 s at load 10)
            java.util.concurrent.CompletableFuture.anyOf(server.startJShell(), cancel).join();
            if (cancelled.get()) return error("[agentkernel: cancelled by the client before the cell started; nothing ran]");
            CellRunner runner = server.runner();
            synchronized (runner) { // one cell at a time; the display's sink belongs to the running one
                if (cancelled.get()) {
                    return error("[agentkernel: cancelled by the client before the cell started; nothing ran]");
                }
                server.display().sink(server.notifier(ex, req));
                started.set(true);
                try {
                    result = runner.run(code);
                } finally {
                    started.set(false);
                    server.display().sink(null);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        String report = AgentKernelMcp.truncate(result.report());
        if (cancelled.get()) report += "[agentkernel: cancelled by the client; the session and its variables are kept]\n";
        if (report.isEmpty()) report = "(no output)\n";
        return CallToolResult.builder().addTextContent(report).isError(result.failed()).build();
    }

    private static CallToolResult askAgent(AgentKernelMcp server, McpSyncServerExchange ex, CallToolRequest req) {
        AtomicReference<AutoCloseable> registration = new AtomicReference<>();
        try {
            String answer = AgentKernelMcp.ask(arg(req, "agent"), arg(req, "message"), server.notifier(ex, req),
                    cancel -> registration.set(server.cancellable(req, cancel)));
            return CallToolResult.builder().addTextContent(AgentKernelMcp.truncate(answer)).isError(false).build();
        } catch (RuntimeException e) {
            return error(e);
        } finally {
            AutoCloseable r = registration.get();
            if (r != null) {
                try {
                    r.close();
                } catch (Exception ignored) {
                    // only a map removal
                }
            }
        }
    }

    interface Call {
        String run();
    }

    private static CallToolResult simple(Call call) {
        try {
            return CallToolResult.builder().addTextContent(AgentKernelMcp.truncate(call.run())).isError(false).build();
        } catch (RuntimeException e) {
            return error(e);
        }
    }

    private static CallToolResult error(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) t = t.getCause();
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return error(t.getClass().getSimpleName() + ": " + msg);
    }

    private static CallToolResult error(String message) {
        return CallToolResult.builder().addTextContent(message).isError(true).build();
    }

    private static String arg(CallToolRequest req, String name) {
        Object v = req.arguments() == null ? null : req.arguments().get(name);
        return v == null ? null : v.toString();
    }

    private static SyncToolSpecification tool(String name, String description, McpSchema.JsonSchema schema,
                                              BiFunction<McpSyncServerExchange, CallToolRequest, CallToolResult> handler) {
        return SyncToolSpecification.builder()
                .tool(McpSchema.Tool.builder().name(name).description(description).inputSchema(schema).build())
                .callHandler((ex, req) -> {
                    try {
                        return handler.apply(ex, req);
                    } catch (Throwable t) {
                        // an Error too (a class missing from a stale jar): left to the SDK it would leave the call unanswered
                        return error(t);
                    }
                })
                .build();
    }

    private static Map<String, Object> prop(String description) {
        return Map.of("type", "string", "description", description);
    }

    private static McpSchema.JsonSchema schema(Map<String, Object> properties, String... required) {
        return new McpSchema.JsonSchema("object", Map.copyOf(properties), List.of(required), null, null, null);
    }
}
