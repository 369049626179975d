package dev.agentkernel.runner.http;

import dev.agentkernel.protocol.BearerCheck;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.runner.loop.AgentLoop;
import dev.agentkernel.runner.model.ChatMessage;
import dev.agentkernel.runner.loop.Conversation;
import dev.agentkernel.runner.loop.TurnEvent;
import dev.agentkernel.runner.loop.TurnGate;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The runner's HTTP side (protocol.md): health, turn (SSE), cancel, history, info. Each request runs on its own
 * virtual thread; a turn runs on another one, so interrupting it on cancel never touches the client's socket.
 */
public final class RunnerHttpServer implements AutoCloseable {
    static {
        // The JDK server leaves Nagle's algorithm on; with small streamed SSE writes that stalls each event until
        // the client's delayed ACK (~40 ms). Read once by the JDK when its first server is created, so set early.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final Logger LOG = Logger.getLogger(RunnerHttpServer.class.getName());
    /** How long {@code /cancel} waits for the turn to wind down, so the next turn is not refused with 409. */
    private static final Duration CANCEL_WAIT = Duration.ofSeconds(10);
    /**
     * How long a new turn waits for a cancelled one to finish instead of getting 409: an interrupt's {@code /cancel}
     * and the next question may arrive in either order, and a cancelled turn ends within milliseconds (its tool's
     * process group is killed, its model stream closed).
     */
    static final Duration CANCELLED_TURN_WAIT = Duration.ofSeconds(5);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final BearerCheck auth;
    private final TurnGate gate;
    private final AgentLoop loop;
    private final Conversation conversation;
    private final Supplier<ObjectNode> info;
    private final Duration keepAlive;
    private final int maxTurnBodyBytes;
    /** A cancel carries no body; more than this of one is not read (the JDK drains a little, then closes). */
    private static final int MAX_CANCEL_BODY = 64 * 1024;

    /** With the default {@code /turn} body limit. */
    public RunnerHttpServer(InetSocketAddress address, String nonce, TurnGate gate, AgentLoop loop,
                            Conversation conversation, Supplier<ObjectNode> info, Duration keepAlive) throws IOException {
        this(address, nonce, gate, loop, conversation, info, keepAlive, HttpLimits.DEFAULT.maxTurnBodyBytes());
    }

    /**
     * Binds at once, so a taken port fails here.
     *
     * @param maxTurnBodyBytes a larger {@code /turn} body is answered 413 without being read
     * @throws java.net.BindException when the port is in use
     */
    public RunnerHttpServer(InetSocketAddress address, String nonce, TurnGate gate, AgentLoop loop,
                            Conversation conversation, Supplier<ObjectNode> info, Duration keepAlive,
                            int maxTurnBodyBytes) throws IOException {
        this.maxTurnBodyBytes = maxTurnBodyBytes;
        this.auth = new BearerCheck(nonce);
        this.gate = gate;
        this.loop = loop;
        this.conversation = conversation;
        this.info = info;
        this.keepAlive = keepAlive;
        this.server = HttpServer.create(address, 64);
        server.setExecutor(executor);
        server.createContext(Protocol.PATH_HEALTH, ex -> handle(ex, "GET", false, this::health));
        server.createContext(Protocol.PATH_TURN, ex -> handle(ex, "POST", true, this::turn));
        server.createContext(Protocol.PATH_CANCEL, ex -> handle(ex, "POST", true, this::cancel));
        server.createContext(Protocol.PATH_HISTORY, ex -> handle(ex, "GET", true, this::history));
        server.createContext(Protocol.PATH_INFO, ex -> handle(ex, "GET", true, this::info));
        server.createContext("/", ex -> handle(ex, null, false, e -> HttpIo.sendError(e, 404,
                "no such endpoint " + e.getRequestURI().getPath() + ": use /health, /turn, /cancel, /history or /info")));
    }

    public void start() {
        server.start();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private void handle(HttpExchange exchange, String method, boolean needsAuth, Handler handler) {
        try (exchange) {
            if (method != null && !method.equalsIgnoreCase(exchange.getRequestMethod())) {
                HttpIo.sendError(exchange, 405, exchange.getRequestMethod() + " is not allowed on "
                        + exchange.getRequestURI().getPath() + ": use " + method);
                return;
            }
            if (needsAuth && !auth.accepts(exchange.getRequestHeaders().getFirst(BearerCheck.HEADER))) {
                HttpIo.sendError(exchange, 401, "wrong or missing nonce: send Authorization: Bearer <the agent's nonce>");
                return;
            }
            handler.handle(exchange);
        } catch (IOException e) {
            LOG.fine("client went away: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "request failed: " + exchange.getRequestURI().getPath(), e);
        }
    }

    /** Constant bytes: readiness polls must not wait for a JSON mapper to be built. */
    private static final byte[] HEALTH_OK = "{\"status\":\"ok\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private void health(HttpExchange exchange) throws IOException {
        HttpIo.sendBytes(exchange, 200, HEALTH_OK);
    }

    private void turn(HttpExchange exchange) throws IOException {
        List<ChatMessage> messages;
        int max = maxTurnBodyBytes;
        long declared = contentLength(exchange);
        if (declared > max) {
            // answered before a byte of the body is read; the JDK drains a little of it and closes the connection
            HttpIo.sendError(exchange, 413, HttpLimits.turnBodyTooLarge(max, declared));
            return;
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(max + 1); // a chunked body says nothing of its length: read one byte past the limit
            if (body.length > max) {
                HttpIo.sendError(exchange, 413, HttpLimits.turnBodyTooLarge(max, -1));
                return;
            }
            messages = TurnRequestParser.parse(body);
        } catch (IllegalArgumentException e) {
            HttpIo.sendError(exchange, 400, e.getMessage());
            return;
        }
        TurnGate.RunningTurn turn = gate.tryStartAfterCancelled(CANCELLED_TURN_WAIT).orElse(null);
        if (turn == null) {
            HttpIo.sendError(exchange, 409, "a turn is already running: wait for its done event, or POST /cancel"
                    + " (a cancelled turn gets " + CANCELLED_TURN_WAIT.toSeconds() + " s to finish before this answer)");
            return;
        }
        BlockingQueue<TurnEvent> events = new LinkedBlockingQueue<>();
        Thread worker = Thread.ofVirtual().name("turn").unstarted(() -> runTurn(turn, messages, events));
        turn.cancellation().bindWorker(worker);
        worker.start();
        streamEvents(exchange, turn, events);
    }

    /** The declared Content-Length, or -1 when there is none (chunked) or it is not a number (the JDK refuses those). */
    private static long contentLength(HttpExchange exchange) {
        String value = exchange.getRequestHeaders().getFirst("Content-Length");
        try {
            return value == null ? -1 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Every turn ends with exactly one terminal event, whatever is thrown (issue 12.4), and frees the gate first. */
    private void runTurn(TurnGate.RunningTurn turn, List<ChatMessage> messages, BlockingQueue<TurnEvent> events) {
        TurnEvent last = null;
        try {
            last = loop.run(messages, events::add, turn.cancellation());
        } catch (Throwable e) { // also an undeclared checked exception (Kotlin SDKs) and errors
            if (turn.cancellation().isCancelled()) {
                last = TurnEvent.error(AgentLoop.CANCELLED);
            } else {
                LOG.log(Level.WARNING, "turn crashed", e);
                last = TurnEvent.error("the runner failed during the turn: " + e + " (see runner.err)");
            }
        } finally {
            gate.finish(turn);
            events.add(last != null ? last : TurnEvent.error(AgentLoop.CANCELLED));
        }
    }

    /** Writes events until the terminal one; a client that vanished cancels the turn. */
    private void streamEvents(HttpExchange exchange, TurnGate.RunningTurn turn, BlockingQueue<TurnEvent> events) {
        try {
            SseStream sse = SseStream.open(exchange);
            while (true) {
                TurnEvent event = events.poll(keepAlive.toMillis(), TimeUnit.MILLISECONDS);
                if (event == null) {
                    sse.keepAlive();
                    continue;
                }
                sse.send(event);
                if (event.terminal()) {
                    return;
                }
            }
        } catch (IOException e) {
            LOG.info("turn client disconnected; cancelling the turn");
            turn.cancellation().cancel();
        } catch (InterruptedException e) {
            turn.cancellation().cancel();
            Thread.currentThread().interrupt();
        }
    }

    private void cancel(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readNBytes(MAX_CANCEL_BODY);
        if (!gate.cancelAndWait(CANCEL_WAIT)) {
            LOG.warning("the cancelled turn did not end within " + CANCEL_WAIT.toSeconds() + " s");
        }
        HttpIo.sendNoContent(exchange);
    }

    private void history(HttpExchange exchange) throws IOException {
        int lastN;
        try {
            lastN = lastN(exchange.getRequestURI().getRawQuery());
        } catch (IllegalArgumentException e) {
            HttpIo.sendError(exchange, 400, e.getMessage());
            return;
        }
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        conversation.last(lastN).forEach(m -> out.add(m.toJson()));
        HttpIo.sendJson(exchange, 200, out);
    }

    /** {@code last_n} from the query; absent means everything. */
    static int lastN(String query) {
        if (query == null || query.isEmpty()) {
            return -1;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals("last_n")) {
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                try {
                    int n = Integer.parseInt(value);
                    if (n < 0) {
                        throw new NumberFormatException();
                    }
                    return n;
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("last_n must be a non-negative integer, got '" + value
                            + "': use e.g. /history?last_n=5, or no last_n for the whole history");
                }
            }
        }
        return -1;
    }

    private void info(HttpExchange exchange) throws IOException {
        HttpIo.sendJson(exchange, 200, info.get());
    }

    /** Gives a just-cancelled turn's stream a moment to send its final event before connections are cut. */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }
}
