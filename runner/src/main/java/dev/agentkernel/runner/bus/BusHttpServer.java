package dev.agentkernel.runner.bus;

import dev.agentkernel.protocol.BusLogEntry;
import dev.agentkernel.protocol.BearerCheck;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentkernel.protocol.Protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The bus's own HTTP server on {@code agentbus_port} (docs/agentbus.md): {@code GET /bus/{id}/entries} (long-poll)
 * and {@code POST /bus/{id}/votes}, both behind the agent's nonce. A second server, so a reader polling for a
 * minute never holds a thread or connection slot of the turn protocol.
 */
public final class BusHttpServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BusHttpServer.class.getName());
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(25);
    public static final Duration MAX_WAIT = Duration.ofSeconds(60);
    public static final int MAX_ENTRIES = 1000;
    private static final int MAX_BODY = 64 * 1024;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final AgentBus bus;
    private final BearerCheck auth;

    /** Binds at once: a taken port throws {@link java.net.BindException} here. */
    public BusHttpServer(InetSocketAddress address, String nonce, AgentBus bus) throws IOException {
        this.bus = bus;
        this.auth = new BearerCheck(nonce);
        this.server = HttpServer.create(address, 64);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    public void start() {
        server.start();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange ex) {
        try (ex) {
            String[] parts = ex.getRequestURI().getPath().split("/");
            // ["", "bus", "{id}", "entries"|"votes"]
            if (!authorized(ex)) {
                sendError(ex, 401, "missing or wrong nonce: send Authorization: Bearer <the agent's nonce>");
                return;
            }
            if (parts.length == 2 && parts[1].equals("bus") && ex.getRequestMethod().equals("GET")) {
                ObjectNode body = JsonNodeFactory.instance.objectNode();
                body.putArray("buses").add(bus.log().busId());
                send(ex, 200, body);
                return;
            }
            if (parts.length != 4 || !parts[1].equals("bus")) {
                sendError(ex, 404, "no such endpoint " + ex.getRequestURI().getPath()
                        + ": use GET /bus/{bus_id}/entries?start=N or POST /bus/{bus_id}/votes");
                return;
            }
            String busId = URLDecoder.decode(parts[2], StandardCharsets.UTF_8);
            if (!busId.equals(bus.log().busId())) {
                sendError(ex, 404, "unknown bus id '" + busId + "': this agent's bus is '" + bus.log().busId()
                        + "' ({agent_name}.{agent_id})");
                return;
            }
            switch (parts[3] + " " + ex.getRequestMethod()) {
                case "entries GET" -> entries(ex);
                case "votes POST" -> votes(ex);
                default -> sendError(ex, 405, "use GET /bus/{bus_id}/entries or POST /bus/{bus_id}/votes");
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "bus client went away", e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "bus request failed", e);
        }
    }

    private void entries(HttpExchange ex) throws IOException {
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        long start;
        long timeoutMs;
        int limit;
        try {
            start = Long.parseLong(q.getOrDefault("start", "0"));
            timeoutMs = Long.parseLong(q.getOrDefault("timeout_ms", String.valueOf(DEFAULT_WAIT.toMillis())));
            limit = Integer.parseInt(q.getOrDefault("limit", String.valueOf(MAX_ENTRIES)));
        } catch (NumberFormatException e) {
            sendError(ex, 400, "start, timeout_ms and limit must be whole numbers, e.g. ?start=0&timeout_ms=1000");
            return;
        }
        if (start < 0 || timeoutMs < 0 || limit <= 0) {
            sendError(ex, 400, "start and timeout_ms must be 0 or more and limit 1 or more");
            return;
        }
        List<BusLogEntry> entries;
        try {
            entries = bus.log().read(start, Math.min(limit, MAX_ENTRIES), Duration.ofMillis(Math.min(timeoutMs, MAX_WAIT.toMillis())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("bus_id", bus.log().busId());
        ArrayNode list = body.putArray("entries");
        entries.forEach(e -> list.add(e.toJson()));
        body.put("next_start", entries.isEmpty() ? start : entries.getLast().position() + 1);
        send(ex, 200, body);
    }

    private void votes(HttpExchange ex) throws IOException {
        JsonNode body;
        try (InputStream in = ex.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                sendError(ex, 413, "the vote body is over " + MAX_BODY + " bytes");
                return;
            }
            body = Protocol.json().readTree(bytes);
        } catch (IOException e) {
            sendError(ex, 400, "the body is not JSON: send {\"intention_id\":\"int-3\",\"approve\":true,\"voter\":\"alice\",\"reason\":\"...\"}");
            return;
        }
        if (body == null || !body.path("intention_id").isTextual() || !body.path("approve").isBoolean()) {
            sendError(ex, 400, "a vote needs intention_id (string) and approve (true or false), e.g. "
                    + "{\"intention_id\":\"int-3\",\"approve\":true,\"voter\":\"alice\",\"reason\":\"looks fine\"}");
            return;
        }
        String id = body.get("intention_id").asText();
        AgentBus.VoteOutcome outcome = bus.vote(id, body.get("approve").booleanValue(),
                body.path("voter").asText(""), body.path("reason").asText(""));
        switch (outcome) {
            case ACCEPTED -> {
                ObjectNode ok = JsonNodeFactory.instance.objectNode();
                ok.put("intention_id", id);
                ok.put("accepted", true);
                send(ex, 200, ok);
            }
            case UNKNOWN_INTENTION -> sendError(ex, 404, "unknown intention '" + id + "': read the bus entries of type intention for the ids");
            case ALREADY_DECIDED -> sendError(ex, 409, "intention '" + id + "' is already decided (or already has its external vote)");
            case NOT_ACCEPTING -> sendError(ex, 409, "this agent takes no external votes: spawn it with agentbus voters including \"external\"");
        }
    }

    private boolean authorized(HttpExchange ex) {
        return auth.accepts(ex.getRequestHeaders().getFirst(BearerCheck.HEADER));
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) return out;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = Protocol.json().writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sendError(HttpExchange ex, int status, String message) throws IOException {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("error", message);
        send(ex, status, body);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
