package dev.agentkernel.helpers;

import dev.agentkernel.protocol.TurnEventData;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.protocol.BearerCheck;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the runner's turn endpoint on a real loopback HTTP server, speaking protocol.md's SSE:
 * the user message picks the script ("tool", "fail", "slow", "truncated", anything else: a short echo).
 * Used to test the helpers' streaming and cancelling without the runner module.
 */
final class ScriptedAgentServer implements AutoCloseable {
    static final String NONCE = "test-nonce-7f3a";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    final AtomicInteger cancels = new AtomicInteger();
    private final AtomicBoolean turnRunning = new AtomicBoolean();
    private volatile boolean cancelRequested;

    ScriptedAgentServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(executor);
        server.createContext("/turn", this::turn);
        server.createContext("/cancel", this::cancel);
        server.start();
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    boolean turnRunning() {
        return turnRunning.get();
    }

    private void cancel(HttpExchange exchange) throws IOException {
        cancels.incrementAndGet();
        cancelRequested = true;
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
    }

    private void turn(HttpExchange exchange) throws IOException {
        if (!new BearerCheck(NONCE).accepts(exchange.getRequestHeaders().getFirst(BearerCheck.HEADER))) {
            byte[] body = "{\"error\":\"wrong nonce\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
            return;
        }
        JsonNode request = JSON.readTree(exchange.getRequestBody());
        String message = request.path("messages").path(0).path("content").asText();
        cancelRequested = false;
        turnRunning.set(true);
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            switch (message) {
                case "tool" -> {
                    text(out, "Let me ");
                    text(out, "check.");
                    ObjectNode use = JSON.createObjectNode().put(TurnEventData.TOOL, "bash").put(TurnEventData.ID, "call-1");
                    use.putObject("input").put("command", "echo hi");
                    send(out, "tool_use", use);
                    send(out, "tool_result", JSON.createObjectNode().put(TurnEventData.ID, "call-1").put(TurnEventData.OUTPUT, "hi\n")
                            .put(TurnEventData.IS_ERROR, false));
                    text(out, "It printed *hi*.");
                    done(out);
                }
                case "fail" -> send(out, "error", JSON.createObjectNode()
                        .put(TurnEventData.ERROR, "the provider answered 529 overloaded_error; retry later").put(TurnEventData.DONE, true));
                case "slow" -> {
                    for (int i = 0; i < 200 && !cancelRequested; i++) {
                        text(out, "word" + i + " ");
                        sleep(50);
                    }
                    if (!cancelRequested) done(out);
                }
                case "truncated" -> text(out, "half an answer");
                default -> {
                    text(out, "Echo: ");
                    text(out, message);
                    done(out);
                }
            }
        } catch (IOException clientWentAway) {
            // the client closed the stream: that is how a cancelled turn ends on this side too
        } finally {
            turnRunning.set(false);
        }
    }

    private static void text(OutputStream out, String body) throws IOException {
        send(out, Protocol.EVENT_TEXT, TurnEventData.piece(body));
    }

    private static void done(OutputStream out) throws IOException {
        send(out, Protocol.EVENT_DONE, JSON.createObjectNode().put(TurnEventData.DONE, true).put(TurnEventData.STOP_REASON, "end_turn"));
    }

    private static void send(OutputStream out, String event, JsonNode data) throws IOException {
        out.write(("event: " + event + "\ndata: " + JSON.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
