package dev.agentkernel.runner;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentkernel.protocol.BearerCheck;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.protocol.RunnerConfig;
import dev.agentkernel.runner.http.HttpIo;
import dev.agentkernel.runner.llm.ModelRequest;
import dev.agentkernel.runner.llm.Providers;
import dev.agentkernel.runner.model.BadConfigException;
import dev.agentkernel.runner.model.ChatMessage;
import dev.agentkernel.runner.tools.ToolRegistry;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;

/**
 * A runner started ahead of its agent, for the kernel's warm pool (issue 14): the JVM start and the SDK's first
 * request are paid before anyone asks for an agent, so a spawn that claims this runner costs a config file and one
 * HTTP call instead of a JVM start. Started like any runner, plus {@link Protocol#ENV_RUNNER_STANDBY} naming a file
 * in the config's format with the standby's {@code http_port}, {@code bind_address}, {@code nonce}, owner fields and
 * {@code provider}.
 *
 * <p>It rehearses that provider's whole streamed turn with a throwaway client (the classes, the JIT's work and the
 * Kotlin reflection caches are per JVM and stay; the agent's own client is built at the claim), then answers
 * {@code GET /health} and, once, {@link Protocol#PATH_CLAIM}: read {@code --config}, build and start the agent as a
 * cold runner would, answer 200 when its port serves. A claim that fails answers with the reason and the process
 * exits with the code a cold start would have (the spawner then starts a cold runner).
 */
final class Standby {
    private Standby() {}

    /** The agent a claim made: its settings and its started runner. */
    record Claimed(RunnerSettings settings, Runner runner) {}

    /** Exit code and message of a failed claim, for the caller to exit with after the answer went out. */
    static final class ClaimFailed extends Exception {
        final int exitCode;

        ClaimFailed(int exitCode, String message) {
            super(message, null, false, false);
            this.exitCode = exitCode;
        }
    }

    /** The standby file: the config's format, the fields a standby uses. */
    static RunnerConfig read(Path standbyFile) throws BadConfigException {
        String text;
        try {
            text = Files.readString(standbyFile);
        } catch (IOException e) {
            throw new BadConfigException("cannot read the standby file " + standbyFile + " (" + Protocol.ENV_RUNNER_STANDBY + "): " + e.getMessage());
        }
        RunnerConfig c = ConfigReader.read(text);
        if (c.httpPort() == null || c.nonce() == null || c.nonce().isBlank()) {
            throw new BadConfigException("the standby file " + standbyFile + " needs http_port and nonce");
        }
        return c;
    }

    /** Owner of the standby: the same watch a cold runner sets up from its config. */
    static RunnerSettings.Owner owner(RunnerConfig c) {
        return new RunnerSettings.Owner(c.ownerPid() == null ? 0 : c.ownerPid(), c.ownerStartMillis(), Boolean.TRUE.equals(c.ownerPipe()));
    }

    /**
     * Rehearses {@code provider}'s turn, serves health and claim on the standby port and blocks until a claim
     * succeeded (returns the started agent) or failed (throws, after the claimant got the reason).
     */
    static Claimed serve(RunnerConfig standby, Path configPath, Map<String, String> env) throws ClaimFailed, IOException {
        String rehearsed = rehearse(standby.provider());
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        BearerCheck auth = new BearerCheck(standby.nonce());
        String bind = standby.bindAddress() == null ? "127.0.0.1" : standby.bindAddress();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bind), standby.httpPort()), 8);
        } catch (BindException e) {
            throw new ClaimFailed(Protocol.EXIT_PORT_IN_USE, "cannot bind the standby port " + bind + ":" + standby.httpPort() + " (" + e.getMessage() + ")");
        }
        // one thread: claims are answered one at a time, and the first one decides
        server.setExecutor(Executors.newSingleThreadExecutor(r -> new Thread(r, "standby-http")));
        server.createContext(Protocol.PATH_HEALTH, exchange -> {
            try (exchange) {
                ObjectNode body = JsonNodeFactory.instance.objectNode().put("status", "standby");
                HttpIo.sendJson(exchange, 200, body);
            }
        });
        server.createContext(Protocol.PATH_CLAIM, exchange -> {
            try (exchange) {
                claim(exchange, auth, configPath, env, rehearsed, outcome);
            }
        });
        server.start();
        try {
            Object result = outcome.get();
            return (Claimed) result;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof ClaimFailed f ? f : new ClaimFailed(1, String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClaimFailed(1, "interrupted while waiting for a claim");
        } finally {
            // the claimant has its answer; the agent serves on its own port from now on
            server.stop(0);
        }
    }

    private static void claim(HttpExchange exchange, BearerCheck auth, Path configPath, Map<String, String> env,
                              String rehearsed, CompletableFuture<Object> outcome) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            HttpIo.sendError(exchange, 405, "use POST " + Protocol.PATH_CLAIM);
            return;
        }
        if (!auth.accepts(exchange.getRequestHeaders().getFirst(BearerCheck.HEADER))) {
            HttpIo.sendError(exchange, 401, "wrong or missing nonce: send Authorization: Bearer <the standby's nonce>");
            return;
        }
        exchange.getRequestBody().readAllBytes();
        if (outcome.isDone()) {
            HttpIo.sendError(exchange, 409, "this standby runner was claimed already");
            return;
        }
        Runner runner = null;
        try {
            RunnerSettings settings = RunnerSettings.load(configPath, env);
            runner = new Runner(settings, Runner.Options.DEFAULT);
            runner.startClaimed(rehearsed);
            HttpIo.sendJson(exchange, 200, JsonNodeFactory.instance.objectNode().put("url", runner.url()));
            outcome.complete(new Claimed(settings, runner));
        } catch (BadConfigException e) {
            fail(exchange, outcome, 400, Protocol.EXIT_BAD_CONFIG, "runner: " + e.getMessage());
        } catch (BindException e) {
            fail(exchange, outcome, 409, Protocol.EXIT_PORT_IN_USE, "runner: cannot bind the agent's port (" + e.getMessage() + ")");
        } catch (IOException | RuntimeException e) {
            if (runner != null) runner.close();
            fail(exchange, outcome, 500, 1, "runner: cannot start the claimed agent: " + e);
        }
    }

    private static void fail(HttpExchange exchange, CompletableFuture<Object> outcome, int status, int exitCode, String message)
            throws IOException {
        try {
            HttpIo.sendError(exchange, status, message);
        } finally {
            outcome.completeExceptionally(new ClaimFailed(exitCode, message));
        }
    }

    /**
     * One scripted turn through {@code provider}'s SDK with a throwaway client and the default tools' specs, so the
     * JVM has loaded, linked and run that path before a claim; a failure leaves the claimed agent's first turn to pay.
     * Returns the provider rehearsed, null when the rehearsal failed.
     */
    static String rehearse(String requested) {
        String provider = requested == null ? "anthropic" : requested;
        try (Providers providers = new Providers(provider, "standby-warm-up",
                Providers.REHEARSAL_KEY, null, "none", 0, null)) {
            List<dev.agentkernel.runner.model.ToolSpec> specs = ToolRegistry.create(RunnerSettings.DEFAULT_TOOLS, Path.of("."),
                    Duration.ofSeconds(60), 1024, Map.of()).specs();
            providers.rehearse(new ModelRequest("You are an agent.", List.of(ChatMessage.userText("warm-up")), specs));
            return provider;
        } catch (RuntimeException e) {
            System.err.println("agentkernel runner: the standby's warm-up turn failed (" + e + "); the first turn will be slower");
            return null;
        }
    }
}
