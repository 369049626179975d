package dev.agentkernel.fakellm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A scripted LLM server on 127.0.0.1 that speaks the Anthropic Messages API ({@code POST /v1/messages})
 * and the OpenAI Chat Completions API ({@code POST /v1/chat/completions}), streaming or not, so the
 * official SDKs can be driven without a real model. What it answers is decided by directives in the
 * latest user message (see docs/architecture.md and {@link Directives}).
 *
 * <p>Also serves {@code GET /health} and {@code GET /_requests} (every recorded API request as JSON).
 */
public final class FakeLlmServer implements AutoCloseable {
    static {
        // The JDK server leaves Nagle's algorithm on; with small streamed SSE writes that stalls each event until
        // the client's delayed ACK (~40 ms). Read once by the JDK when its first server is created, so set early.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** The API key that is always rejected with 401 {@code authentication_error}. */
    public static final String BAD_KEY = "bad-key";

    private static final String ANTHROPIC_PATH = "/v1/messages";
    private static final String OPENAI_PATH = "/v1/chat/completions";

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final Script script = new Script();
    private final Provider anthropic = new AnthropicApi();
    private final Provider openAi = new OpenAiApi();

    private FakeLlmServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts a server on 127.0.0.1.
     *
     * @param port the port to bind, or 0 for a free one (read it back with {@link #port()})
     * @throws UncheckedIOException when the port cannot be bound (e.g. it is in use)
     */
    public static FakeLlmServer start(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 (any free port) or 1-65535, got " + port);
        }
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("fake-llm cannot listen on 127.0.0.1:" + port
                    + " (" + e.getMessage() + "); pick another port or pass 0 for a free one", e);
        }
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        http.setExecutor(executor);
        FakeLlmServer fake = new FakeLlmServer(http, executor);
        http.createContext("/", fake::handle);
        http.start();
        return fake;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Base URL for the Anthropic SDK ({@code http://127.0.0.1:PORT}). */
    public String anthropicBaseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** Base URL for the OpenAI SDK ({@code http://127.0.0.1:PORT/v1}). */
    public String openAiBaseUrl() {
        return anthropicBaseUrl() + "/v1";
    }

    /** The API requests received so far, oldest first ({@code /health} and {@code /_requests} are not recorded). */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public void clearRequests() {
        requests.clear();
    }

    /**
     * Scripts an answer: from now on a request whose latest user text contains {@code trigger} (and that does not end
     * with a tool result) is answered with exactly {@code answer}, streamed word by word, with no tool call; the
     * first registered trigger that matches wins over the {@code [[...]]} directives. For answers a directive cannot
     * carry, e.g. a model that answers with code. Registered answers last as long as the server.
     */
    public FakeLlmServer whenAsked(String trigger, String answer) {
        if (trigger == null || trigger.isEmpty()) {
            throw new IllegalArgumentException("whenAsked needs a non-empty trigger text, e.g. whenAsked(\"Plan:\", answer)");
        }
        if (answer == null) throw new IllegalArgumentException("whenAsked(\"" + trigger + "\", null): pass the answer text");
        script.whenAsked(trigger, answer);
        return this;
    }

    /** Stops listening, drops open connections and interrupts streams still being written. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            String path = exchange.getRequestURI().getPath();
            byte[] raw;
            try (InputStream in = exchange.getRequestBody()) {
                raw = in.readAllBytes();
            }
            switch (path) {
                case "/health" -> sendJson(exchange, 200, Json.object().put("status", "ok"), Map.of());
                case "/_requests" -> sendJson(exchange, 200, requestsJson(), Map.of());
                case ANTHROPIC_PATH -> api(exchange, method, path, raw, anthropic);
                case OPENAI_PATH -> api(exchange, method, path, raw, openAi);
                default -> {
                    requests.add(record(exchange, method, path, raw));
                    sendJson(exchange, 404, Json.object().put("error", "no such endpoint: " + method + " " + path
                            + "; use POST " + ANTHROPIC_PATH + " (Anthropic), POST " + OPENAI_PATH
                            + " (OpenAI), GET /_requests or GET /health"), Map.of());
                }
            }
        } catch (IOException e) {
            // The client hung up (e.g. a cancelled turn closed the stream): nothing left to answer.
        }
    }

    private void api(HttpExchange exchange, String method, String path, byte[] raw, Provider provider) throws IOException {
        RecordedRequest recorded = record(exchange, method, path, raw);
        requests.add(recorded);
        String requestId = provider.newRequestId();
        exchange.getResponseHeaders().set(provider.requestIdHeader(), requestId);
        if (!method.equals("POST")) {
            sendError(exchange, provider, new ApiError(405, method + " " + path + " is not supported; use POST"), requestId);
            return;
        }
        Optional<ApiError> denied = provider.checkAuth(exchange.getRequestHeaders());
        if (denied.isPresent()) {
            sendError(exchange, provider, denied.get(), requestId);
            return;
        }
        Script.Outcome outcome;
        ScriptedConversation conversation;
        try {
            if (!recorded.body().isObject()) {
                throw new BadRequestException("request body must be a JSON object, got: " + abbreviate(raw));
            }
            conversation = provider.read(recorded.body());
            outcome = script.answer(conversation);
        } catch (BadRequestException e) {
            sendError(exchange, provider, new ApiError(400, e.getMessage()), requestId);
            return;
        }
        switch (outcome) {
            case Script.Fail fail -> sendError(exchange, provider, fail.error(), requestId);
            case Script.Answer answer when conversation.stream() -> stream(exchange, provider, answer.reply(), conversation);
            case Script.Answer answer -> sendJson(exchange, 200, provider.complete(answer.reply(), conversation), Map.of());
        }
    }

    private static void stream(HttpExchange exchange, Provider provider, Reply reply, ScriptedConversation conversation)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0); // 0 = chunked: the length is not known up front
        try (OutputStream out = exchange.getResponseBody()) {
            provider.stream(reply, conversation, new SseWriter(out, reply.delayMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the server is closing
        }
    }

    private static void sendError(HttpExchange exchange, Provider provider, ApiError error, String requestId)
            throws IOException {
        sendJson(exchange, error.status(), provider.errorBody(error, requestId), provider.errorHeaders(error));
    }

    private static void sendJson(HttpExchange exchange, int status, JsonNode body, Map<String, String> headers)
            throws IOException {
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach(exchange.getResponseHeaders()::set);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static RecordedRequest record(HttpExchange exchange, String method, String path, byte[] raw) {
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.put(name.toLowerCase(Locale.ROOT), String.join(", ", values)));
        return new RecordedRequest(method, path, headers, parse(raw));
    }

    private static JsonNode parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return NullNode.getInstance();
        }
        try {
            return Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(text); // kept raw so a test can see what was sent
        }
    }

    private static String abbreviate(byte[] raw) {
        String text = new String(raw, StandardCharsets.UTF_8);
        return text.isBlank() ? "(empty body)" : text.length() > 80 ? text.substring(0, 80) + "..." : text;
    }

    private ArrayNode requestsJson() {
        ArrayNode array = Json.MAPPER.createArrayNode();
        for (RecordedRequest r : new ArrayList<>(requests)) {
            ObjectNode o = array.addObject().put("method", r.method()).put("path", r.path());
            ObjectNode h = o.putObject("headers");
            r.headers().forEach(h::put);
            o.set("body", r.body());
        }
        return array;
    }
}
