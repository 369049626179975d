package dev.agentkernel.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentkernel.Agent;
import dev.agentkernel.AgentStatus;
import dev.agentkernel.CreateTeamRequest;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.Team;
import dev.agentkernel.TurnRequest;
import dev.agentkernel.TurnResponse;
import dev.agentkernel.TurnStream;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.spawn.AgentEndpoint;
import dev.agentkernel.spawn.Backend;
import dev.agentkernel.spawn.NonceVault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The turn client against a scripted stand-in for a runner (a JDK HTTP server writing SSE by hand). */
class HttpAgentClientTest {
    private static final String AGENT = "agent-1";
    private static final String NONCE = "nonce-1";

    private HttpServer server;
    private HttpAgentClient client;
    /** The client port of every /turn request, in order: equal ports mean one reused connection. */
    private final List<Integer> turnPorts = new CopyOnWriteArrayList<>();
    private final CountDownLatch cancelled = new CountDownLatch(1);
    /** Released to let a held turn send its final event. */
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext(Protocol.PATH_TURN, this::turn);
        server.createContext(Protocol.PATH_CANCEL, ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                cancelled.countDown();
                ex.sendResponseHeaders(204, -1);
            }
        });
        server.start();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        client = new HttpAgentClient(new StubBackend(new AgentEndpoint(AGENT, "stub", base, () -> true)), new NonceVault());
    }

    @AfterEach
    void stop() {
        client.close();
        server.stop(0);
    }

    /** Like the runner: headers at once, the events, then the end of the response. "hold" waits before the end. */
    private void turn(HttpExchange ex) throws IOException {
        try (ex) {
            turnPorts.add(ex.getRemoteAddress().getPort());
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            send(out, "text", "{\"body\":\"Hi\",\"done\":false,\"error\":null}");
            if (body.contains("silent")) {
                // a hung runner: the connection stays open, nothing more comes
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (body.contains("chatty")) {
                // a long tool run: only keep-alive comments, for several read timeouts
                for (int i = 0; i < 12; i++) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            if (body.contains("hold")) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    return;
                }
            }
            send(out, "done", "{\"body\":\"\",\"done\":true,\"error\":null,\"stop_reason\":\"end_turn\"}");
        }
    }

    private static void send(OutputStream out, String event, String data) throws IOException {
        out.write(("event: " + event + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private List<TurnResponse> runTurn(String message) {
        List<TurnResponse> chunks = new ArrayList<>();
        try (TurnStream stream = client.turn(TurnRequest.userMessage(AGENT, NONCE, message))) {
            stream.forEach(chunks::add);
        }
        return chunks;
    }

    @Test
    void finishedTurnsLeaveTheirConnectionForTheNextTurn() {
        for (int i = 0; i < 5; i++) {
            List<TurnResponse> chunks = runTurn("hello " + i);
            assertEquals("Hi", chunks.get(0).body());
            assertTrue(chunks.get(chunks.size() - 1).done());
        }
        assertEquals(5, turnPorts.size());
        // A finished turn's connection goes back to the pool when its body completes, which the JDK client does on
        // its own thread: on a loaded machine the next turn may start first and open a second connection (seen at
        // load 40). A cancelled connection is never reused, so reuse itself is the evidence: one port carries most turns.
        long mostTurnsOnOnePort = turnPorts.stream().collect(java.util.stream.Collectors.groupingBy(p -> p,
                java.util.stream.Collectors.counting())).values().stream().mapToLong(Long::longValue).max().orElse(0);
        assertTrue(mostTurnsOnOnePort >= 3, "finished turns reuse their connection, got ports " + turnPorts);
        assertEquals(1, cancelled.getCount(), "a finished turn is not cancelled at the agent");
    }

    @Test
    void closingBeforeTheFinalChunkStillCancelsTheTurn() throws Exception {
        try (TurnStream stream = client.turn(TurnRequest.userMessage(AGENT, NONCE, "hold"))) {
            assertEquals("Hi", stream.iterator().next().body());
        }
        assertTrue(cancelled.await(5, TimeUnit.SECONDS), "the agent was asked to cancel");
        release.countDown();
        runTurn("next");
        assertEquals(2, turnPorts.stream().distinct().count(), "the cut connection was not reused: " + turnPorts);
    }

    /**
     * An interrupt closes the stream on another thread while the reader waits for the next chunk: the reader's loop
     * must end as soon as the cancel is delivered, not at its next liveness check 200 ms on (issue 17.2).
     */
    @Test
    void closingFromAnotherThreadEndsTheReadersWaitOnceTheCancelIsDelivered() throws Exception {
        TurnStream stream = client.turn(TurnRequest.userMessage(AGENT, NONCE, "hold"));
        Iterator<TurnResponse> it = stream.iterator();
        assertEquals("Hi", it.next().body());
        java.util.concurrent.CompletableFuture<Long> ended = new java.util.concurrent.CompletableFuture<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            boolean more = it.hasNext();
            ended.complete(more ? -1L : System.nanoTime());
        });
        // close right after the reader started waiting, so that the old code had a whole liveness interval left
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (reader.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        stream.close();
        long closed = System.nanoTime();
        long endedAt = ended.get(5, TimeUnit.SECONDS);
        assertNotEquals(-1L, endedAt, "the closed stream yielded another chunk");
        assertEquals(0, cancelled.getCount(), "the agent was asked to cancel before the reader's loop ended");
        long lagMillis = TimeUnit.NANOSECONDS.toMillis(endedAt - closed);
        assertTrue(lagMillis < SseTurnStream.LIVENESS_CHECK_MILLIS / 2,
                "the reader went on waiting " + lagMillis + " ms after the stream was closed");
        release.countDown();
    }

    @Test
    void aSilentRunnerEndsTheStreamWithATimeoutErrorWhileKeepAlivesKeepItOpen() throws Exception {
        client.close();
        client = new HttpAgentClient(new StubBackend(new AgentEndpoint(AGENT, "stub", URI.create("http://127.0.0.1:"
                + server.getAddress().getPort() + "/"), () -> true)), new NonceVault(), java.time.Duration.ofSeconds(1));
        List<TurnResponse> chatty = runTurn("chatty");
        assertTrue(chatty.getLast().done(), "3 s of keep-alives with a 1 s read timeout: " + chatty);

        List<TurnResponse> silent = runTurn("silent");
        assertEquals(2, silent.size(), "Hi, then one error: " + silent);
        TurnResponse last = silent.getLast();
        assertTrue(last.isError() && last.done(), String.valueOf(last));
        assertTrue(last.error().contains("sent nothing for 1 s") && last.error().contains("keep-alive"), last.error());
        assertTrue(cancelled.await(5, TimeUnit.SECONDS), "the hung turn is cancelled at the agent");
        dev.agentkernel.TurnFailedException failed = assertThrows(dev.agentkernel.TurnFailedException.class,
                () -> client.ask(AGENT, NONCE, "silent", chunk -> { }));
        assertTrue(failed.getMessage().contains("read timeout"), failed.getMessage());
    }

    private record StubBackend(AgentEndpoint endpoint) implements Backend {
        @Override public String name() { return "stub"; }
        @Override public AgentEndpoint endpoint(String agentId) { return endpoint; }
        @Override public CompletableFuture<List<AgentStatus>> status() { return CompletableFuture.completedFuture(List.of()); }
        @Override public CompletableFuture<Void> cleanup() { return CompletableFuture.completedFuture(null); }
        @Override public void close() { }
        @Override public CompletableFuture<SpawnResult> spawn(SpawnRequest request) { throw new UnsupportedOperationException(); }
        @Override public CompletableFuture<Void> kill(String agentId) { throw new UnsupportedOperationException(); }
        @Override public CompletableFuture<Team> createTeam(CreateTeamRequest request) { throw new UnsupportedOperationException(); }
        @Override public CompletableFuture<Void> deleteTeam(String teamId) { throw new UnsupportedOperationException(); }
        @Override public List<Agent> agents() { return List.of(); }
        @Override public Optional<Agent> agent(String agentId) { return Optional.empty(); }
        @Override public List<Team> teams() { return List.of(); }
    }
}
