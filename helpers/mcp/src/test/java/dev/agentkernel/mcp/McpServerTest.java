package dev.agentkernel.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real server process ({@code java -cp <test class path> AgentKernelMcp}, as bin/agentkernel mcp runs it) driven by
 * the SDK's own client over stdio, against the scripted LLM.
 */
class McpServerTest {
    @TempDir
    Path home;

    private final List<McpSyncClient> clients = new ArrayList<>();
    private final List<Object> sentToolCalls = new CopyOnWriteArrayList<>();
    /**
     * Every message from the server in wire order. The SDK's sync client hands each notification to its consumer on
     * its own boundedElastic task, so consumers see them in any order (CI saw "says tool hi"); a client reading the
     * stream sees this order.
     */
    private final List<McpSchema.JSONRPCMessage> received = new CopyOnWriteArrayList<>();
    private RecordingTransport transport;

    @AfterEach
    void closeClients() {
        clients.forEach(c -> c.closeGracefully());
        serverProcesses().forEach(p -> p.destroyForcibly());
    }

    static ServerParameters serverCommand(Path home, String... serverArgs) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> args = new ArrayList<>(List.of("-Dagentkernel.runner.jar=" + System.getProperty("agentkernel.runner.jar"),
                "-cp", System.getProperty("java.class.path"), AgentKernelMcp.class.getName()));
        args.addAll(List.of(serverArgs));
        return ServerParameters.builder(java)
                .args(args)
                .env(Map.of("AGENTKERNEL_HOME", home.toString(), "LLM_API_KEY", ""))
                .build();
    }

    McpSyncClient start(String... serverArgs) {
        transport = new RecordingTransport(new StdioClientTransport(serverCommand(home, serverArgs), new JacksonMcpJsonMapper(new ObjectMapper())),
                sentToolCalls, received);
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(120))
                .initializationTimeout(Duration.ofSeconds(60)).build();
        clients.add(client);
        client.initialize();
        return client;
    }

    static McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> args) {
        return client.callTool(new McpSchema.CallToolRequest(tool, args));
    }

    static String text(McpSchema.CallToolResult r) {
        StringBuilder s = new StringBuilder();
        for (McpSchema.Content c : r.content()) if (c instanceof McpSchema.TextContent t) s.append(t.text());
        return s.toString();
    }

    static String run(McpSyncClient client, String code) {
        McpSchema.CallToolResult r = call(client, "run_helpers", Map.of("code", code));
        assertFalse(Boolean.TRUE.equals(r.isError()), () -> "run_helpers(" + code + ") failed: " + text(r));
        return text(r);
    }

    static List<ProcessHandle> serverProcesses() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(p -> cmdline(p).contains(AgentKernelMcp.class.getName())).toList();
    }

    /** /proc's command line: ProcessHandle.Info leaves it out for very long class paths. */
    static String cmdline(ProcessHandle p) {
        try {
            return java.nio.file.Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")).replace('\0', ' ');
        } catch (java.io.IOException e) {
            return p.info().commandLine().orElse("");
        }
    }

    @Test
    void listsToolsAndRunsOnePlusOneWithTheTimesMeasured() {
        long t0 = System.nanoTime();
        McpSyncClient client = start();
        long initMs = (System.nanoTime() - t0) / 1_000_000;
        List<String> names = client.listTools().tools().stream().map(McpSchema.Tool::name).sorted().toList();
        assertEquals(List.of("agent_status", "ask_agent", "kill_agent", "run_helpers", "spawn_agent"), names);
        assertTrue(run(client, "1+1").contains("=> 2"));
        long[] ms = new long[25];
        for (int i = 0; i < ms.length; i++) {
            long s = System.nanoTime();
            assertTrue(run(client, "1+1").contains("=> 2"));
            ms[i] = (System.nanoTime() - s) / 1000;
        }
        Arrays.sort(ms);
        System.err.printf("MEASURED mcp: start -> initialize answered %d ms; run_helpers(\"1+1\") p50 %.2f ms (n=%d, max %.2f ms)%n",
                initMs, ms[ms.length / 2] / 1000.0, ms.length, ms[ms.length - 1] / 1000.0);
        // <helpers> blocks: only they run; state persists across calls
        assertTrue(run(client, "Some prose.\n<helpers>\nvar x = 20;\n</helpers>\nmore prose\n<helpers>\nx + 1\n</helpers>").contains("=> 21"));
        assertTrue(run(client, "x * 2").contains("=> 40"));
        // the skill, as a resource and as a prompt
        String skill = ((McpSchema.TextResourceContents) client.readResource(new McpSchema.ReadResourceRequest("agentkernel://skill"))
                .contents().get(0)).text();
        assertTrue(skill.contains("<helpers>"), skill);
        McpSchema.GetPromptResult prompt = client.getPrompt(new McpSchema.GetPromptRequest("agentkernel", Map.of()));
        assertEquals(skill, ((McpSchema.TextContent) prompt.messages().get(0).content()).text());
    }

    @Test
    void compileErrorsAndExceptionsComeBackAsToolErrorsWithLinesAndUserFrames() {
        McpSyncClient client = start();
        McpSchema.CallToolResult compile = call(client, "run_helpers", Map.of("code", "int a = 1;\nString s = 42;"));
        assertTrue(compile.isError());
        assertTrue(text(compile).contains("line 2"), text(compile));
        assertTrue(text(compile).contains("incompatible types"), text(compile));
        McpSchema.CallToolResult thrown = call(client, "run_helpers", Map.of("code",
                "void boom() { throw new IllegalStateException(\"nope\"); }\nboom();"));
        assertTrue(thrown.isError());
        assertTrue(text(thrown).contains("IllegalStateException: nope"), text(thrown));
        assertFalse(text(thrown).contains("jdk.jshell"), text(thrown));
        McpSchema.CallToolResult missing = call(client, "ask_agent", Map.of("agent", "nobody", "message", "hi"));
        assertTrue(missing.isError());
        assertTrue(text(missing).contains("no live agent 'nobody'"), text(missing));
        assertTrue(run(client, "System.out.println(\"still here\")").contains("still here"));
    }

    @Test
    void spawnAskKillThroughToolsAndCellsSpawnedAgentsAreReachableByName() {
        McpSyncClient client = start();
        client.setLoggingLevel(McpSchema.LoggingLevel.INFO);
        run(client, "scriptedLlm();");
        long t0 = System.nanoTime();
        String spawned = text(call(client, "spawn_agent", Map.of("name", "w1", "system_prompt", "You are terse.")));
        assertTrue(spawned.contains("id="), spawned);
        assertFalse(spawned.toLowerCase().contains("nonce"), spawned);
        McpSchema.CallToolResult answer = call(client, "ask_agent", Map.of("agent", "w1", "message", "[[reply: tool says hi]]"));
        assertEquals("tool says hi", text(answer).strip());
        // the turn's text streamed as log notifications, in order, all on the wire before the call's result
        List<McpSchema.JSONRPCMessage> wire = List.copyOf(received);
        int result = 0;
        while (result < wire.size() && !(wire.get(result) instanceof McpSchema.JSONRPCResponse r && String.valueOf(r.result()).contains("tool says hi"))) {
            result++;
        }
        assertTrue(result < wire.size(), "the ask_agent result was received: " + wire);
        StringBuilder streamed = new StringBuilder();
        for (int i = 0; i < wire.size(); i++) {
            if (wire.get(i) instanceof McpSchema.JSONRPCNotification n && n.method().equals(McpSchema.METHOD_NOTIFICATION_MESSAGE)) {
                assertTrue(i < result, "a log notification after the result: " + n);
                streamed.append(((Map<?, ?>) n.params()).get("data"));
            }
        }
        assertTrue(streamed.toString().contains("tool says hi"), "the turn text streamed as log notifications: " + streamed);
        assertTrue(text(call(client, "kill_agent", Map.of("agent", "w1"))).contains("killed"));
        System.err.printf("MEASURED mcp: spawn+ask+kill through MCP tools %d ms%n", (System.nanoTime() - t0) / 1_000_000);

        // an agent a cell spawned: ask_agent reaches it by name without its nonce; its history is a resource
        long t1 = System.nanoTime();
        String cell = run(client, "var k = localKernel();\nvar r = spawn(k, \"cellagent\", openclaw(\"You echo.\"));\n"
                + "ask(k, r, \"[[reply: from the cell]]\")\n");
        assertTrue(cell.contains("from the cell"), cell);
        run(client, "kill(k, r);");
        System.err.printf("MEASURED mcp: spawn+ask+kill in one run_helpers session (two calls) %d ms%n", (System.nanoTime() - t1) / 1_000_000);
        run(client, "var r2 = spawn(k, \"cellagent2\", openclaw(\"You echo.\"));");
        assertEquals("again", text(call(client, "ask_agent", Map.of("agent", "cellagent2", "message", "[[reply: again]]"))).strip());
        String status = text(call(client, "agent_status", Map.of()));
        assertTrue(status.contains("cellagent2"), status);
        assertFalse(status.contains("w1  "), status);
        String history = ((McpSchema.TextResourceContents) client.readResource(
                new McpSchema.ReadResourceRequest("agentkernel://agents/cellagent2/history")).contents().get(0)).text();
        assertTrue(history.contains("again"), history);
        String outputs = sentToolCalls.toString() + status + history + cell + spawned;
        assertFalse(outputs.matches("(?s).*nonce.*"), "no nonce in tool output");
        assertTrue(text(call(client, "kill_agent", Map.of("agent", "cellagent2"))).contains("killed"));
    }

    @Test
    void aCancelledCallStopsTheCellAndTheSessionGoesOn() throws Exception {
        McpSyncClient client = start();
        run(client, "0"); // JShell up: the cancel below stops a running cell, not one still waiting to start
        CompletableFuture<McpSchema.CallToolResult> sleeping = CompletableFuture.supplyAsync(
                () -> call(client, "run_helpers", Map.of("code", "Thread.sleep(120_000); 1")));
        Object id = awaitToolCallSent(2);
        Thread.sleep(500);
        long t0 = System.nanoTime();
        transport.sendMessage(new McpSchema.JSONRPCNotification("2.0", "notifications/cancelled",
                Map.of("requestId", id, "reason", "user pressed stop"))).block();
        McpSchema.CallToolResult r = sleeping.get(30, TimeUnit.SECONDS);
        assertTrue(r.isError(), text(r));
        assertTrue(text(r).contains("cancelled by the client"), text(r));
        assertTrue(text(r).contains("Interrupted"), "the running cell was stopped: " + text(r));
        System.err.printf("MEASURED mcp: cancel -> result %d ms%n", (System.nanoTime() - t0) / 1_000_000);

        // a turn at an agent: cancelled there too
        run(client, "scriptedLlm(); var k = localKernel(); var slow = spawn(k, \"slow\", openclaw(\"x\"));");
        CompletableFuture<McpSchema.CallToolResult> asking = CompletableFuture.supplyAsync(() -> call(client, "ask_agent",
                Map.of("agent", "slow", "message", "[[slow: 500]] one two three four five six seven eight nine ten")));
        Object askId = awaitToolCallSent(4);
        Thread.sleep(1500);
        transport.sendMessage(new McpSchema.JSONRPCNotification("2.0", "notifications/cancelled", Map.of("requestId", askId))).block();
        McpSchema.CallToolResult asked = asking.get(30, TimeUnit.SECONDS);
        assertTrue(asked.isError(), text(asked));
        assertTrue(text(asked).contains("cancelled by the client"), text(asked));
        assertTrue(run(client, "2+3").contains("=> 5"));
    }

    private Object awaitToolCallSent(int n) throws InterruptedException {
        for (int i = 0; i < 200 && sentToolCalls.size() < n; i++) Thread.sleep(25);
        return sentToolCalls.get(n - 1);
    }

    @Test
    void configPutsTheToolsKernelOnItsBackendAndStateDir() throws Exception {
        Path stateDir = home.resolve("configured-state");
        Path config = java.nio.file.Files.writeString(home.resolve("agentkernel.yaml"), "backend: local\nstate_dir: " + stateDir + "\n");
        McpSyncClient client = start("--config", config.toString());
        run(client, "scriptedLlm();");
        assertTrue(run(client, "serverKernel().stateDir()").contains(stateDir.toString()));
        String spawned = text(call(client, "spawn_agent", Map.of("name", "configured", "system_prompt", "x")));
        String id = spawned.replaceAll("(?s).*id=(\\S+).*", "$1");
        assertTrue(java.nio.file.Files.isDirectory(stateDir.resolve("agents").resolve(id)), spawned);
        assertTrue(text(call(client, "kill_agent", Map.of("agent", "configured"))).contains("killed"));
    }

    @Test
    void hugeOutputIsTruncatedWithANote() {
        McpSyncClient client = start();
        String out = run(client, "System.out.print(\"x\".repeat(1_000_000)); \"end\"");
        assertTrue(out.length() < AgentKernelMcp.MAX_OUTPUT_CHARS + 1000, "length " + out.length());
        assertTrue(out.contains("output truncated"), out.substring(0, 100));
        assertTrue(out.contains("=> \"end\"") || out.contains("=> end"), out.substring(out.length() - 200));
    }

    @Test
    void twoConcurrentCallsBothAnswer() throws Exception {
        McpSyncClient client = start();
        run(client, "1");
        CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> run(client, "Thread.sleep(1500); 6*7"));
        Thread.sleep(200);
        long t0 = System.nanoTime();
        String status = text(call(client, "agent_status", Map.of()));
        long statusMs = (System.nanoTime() - t0) / 1_000_000;
        CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> run(client, "\"b\" + 2"));
        assertTrue(slow.get(30, TimeUnit.SECONDS).contains("=> 42"));
        assertTrue(second.get(30, TimeUnit.SECONDS).contains("b2"));
        assertTrue(status.contains("no agents"), status);
        assertTrue(statusMs < 1200, "agent_status answered while a cell ran: " + statusMs + " ms");
    }

    @Test
    void theServersAgentsDieWithIt_stdinClosed_sigterm_sigkill() throws Exception {
        for (String how : List.of("stdin", "TERM", "KILL")) {
            McpSyncClient client = start();
            run(client, "scriptedLlm();");
            call(client, "spawn_agent", Map.of("name", "a-" + how, "system_prompt", "x"));
            run(client, "var k = localKernel(); var r = spawn(k, \"b-" + how + "\", openclaw(\"x\"));");
            ProcessHandle server = serverProcesses().get(0);
            List<ProcessHandle> runners = server.descendants().filter(p -> cmdline(p).contains("runner")).toList();
            assertTrue(runners.size() >= 2, "two runners under the server: " + runners);
            switch (how) {
                case "stdin" -> { clients.remove(client); client.close(); }
                case "TERM" -> server.destroy();
                default -> server.destroyForcibly();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline && (server.isAlive() || runners.stream().anyMatch(ProcessHandle::isAlive))) {
                Thread.sleep(100);
            }
            assertFalse(server.isAlive(), how + ": the server is gone");
            assertTrue(runners.stream().noneMatch(ProcessHandle::isAlive), how + ": no runner left: " + runners);
            clients.forEach(McpSyncClient::close);
            clients.clear();
        }
    }

    /** The SDK's stdio transport, noting the ids of the tools/call requests it sends (a cancellation names one). */
    static final class RecordingTransport implements McpClientTransport {
        private final StdioClientTransport delegate;
        private final List<Object> toolCalls;
        private final List<McpSchema.JSONRPCMessage> received;

        RecordingTransport(StdioClientTransport delegate, List<Object> toolCalls, List<McpSchema.JSONRPCMessage> received) {
            this.delegate = delegate;
            this.toolCalls = toolCalls;
            this.received = received;
        }

        /** The transport subscribes to each inbound message's handler in arrival order, on its reading thread. */
        @Override
        public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
            return delegate.connect(inbound -> handler.apply(inbound.doOnNext(received::add)));
        }

        @Override
        public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
            if (message instanceof McpSchema.JSONRPCRequest r && r.method().equals("tools/call")) toolCalls.add(r.id());
            return delegate.sendMessage(message);
        }

        @Override
        public Mono<Void> closeGracefully() {
            return delegate.closeGracefully();
        }

        @Override
        public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
            return delegate.unmarshalFrom(data, typeRef);
        }
    }
}
