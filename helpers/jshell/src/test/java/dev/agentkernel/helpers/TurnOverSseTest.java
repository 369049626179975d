package dev.agentkernel.helpers;

import dev.agentkernel.TurnFailedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static dev.agentkernel.helpers.Helpers.*;
import static org.junit.jupiter.api.Assertions.*;

/** ask/stream/askAsync over real HTTP + SSE against a scripted agent endpoint (no runner needed). */
class TurnOverSseTest {
    private static final String ID = "agent-1";
    private static final String NONCE = ScriptedAgentServer.NONCE;
    private ScriptedAgentServer server;
    private SseTestClient client;

    @BeforeEach
    void start() throws Exception {
        server = new ScriptedAgentServer();
        client = new SseTestClient(server.baseUri());
    }

    @AfterEach
    void stop() {
        Display.install(null);
        server.close();
    }

    @Test
    void askStreamsTextAndToolBlocksInOrderIntoARichDisplay() {
        RecordingDisplay display = new RecordingDisplay(true);
        Display.install(display);
        String text = ask(client, ID, NONCE, "tool");
        assertEquals("Let me check.\n\nIt printed *hi*.", text, "text after a tool round starts a new paragraph");
        List<String> events = display.events();
        assertEquals("markdown0:Let me ", events.get(0));
        assertEquals(List.of("print:▶ bash: echo hi\n", "print:  │ hi\n", "markdown1:It printed *hi*."),
                events.subList(events.size() - 3, events.size()), events.toString());
        assertTrue(events.contains("update0:Let me check."), "the first block ends complete: " + events);
        assertEquals(0, Interrupts.pending());
    }

    @Test
    void askAtAConsoleIsSilent() {
        RecordingDisplay console = new RecordingDisplay(false);
        Display.install(console);
        assertEquals("Echo: hello", ask(client, ID, NONCE, "hello"));
        assertEquals(List.of(), console.events());
    }

    @Test
    void anErrorEventRaisesTurnFailedExceptionWithItsMessage() {
        TurnFailedException thrown = assertThrows(TurnFailedException.class, () -> ask(client, ID, NONCE, "fail"));
        assertEquals("Agent agent-1 failed the turn: the provider answered 529 overloaded_error; retry later",
                thrown.getMessage());
        assertFalse(thrown instanceof TurnInterruptedException);
    }

    @Test
    void aStreamThatStopsWithoutDoneIsAFailure() {
        TurnFailedException thrown = assertThrows(TurnFailedException.class,
                () -> ask(client, ID, NONCE, "truncated"));
        assertTrue(thrown.getMessage().contains("ended without a done event"), thrown.getMessage());
    }

    @Test
    void interruptAllCancelsARunningAskAtTheAgent() throws Exception {
        RecordingDisplay display = new RecordingDisplay(true);
        Display.install(display);
        CompletableFuture<String> running = CompletableFuture.supplyAsync(() -> ask(client, ID, NONCE, "slow"));
        waitUntil(() -> display.events().size() >= 2, "streaming has started");
        assertEquals(1, Interrupts.pending(), "the running ask registered its handler");

        Interrupts.interruptAll();

        ExecutionException thrown = assertThrows(ExecutionException.class, () -> running.get(5, TimeUnit.SECONDS));
        assertInstanceOf(TurnInterruptedException.class, thrown.getCause());
        assertTrue(thrown.getCause().getMessage().contains("interrupted and cancelled at the agent"));
        assertEquals(1, server.cancels.get(), "the agent was told to cancel");
        waitUntil(() -> !server.turnRunning(), "the agent stopped the turn");
        assertEquals(0, Interrupts.pending());
        String lastShown = display.events().get(display.events().size() - 1);
        assertTrue(lastShown.startsWith("update0:word0 "), "what arrived stays shown: " + lastShown);
    }

    @Test
    void askAsyncIsSilentAndCancellingItsFutureCancelsTheTurn() throws Exception {
        RecordingDisplay display = new RecordingDisplay(true);
        Display.install(display);
        Pair<String, String> both = awaitAll(askAsync(client, ID, NONCE, "one"), askAsync(client, ID, NONCE, "two"));
        assertEquals("Echo: one", both.first());
        assertEquals("Echo: two", both.second());
        assertEquals(List.of(), display.events(), "background turns print nothing");

        CompletableFuture<String> slow = askAsync(client, ID, NONCE, "slow");
        waitUntil(server::turnRunning, "the background turn started");
        assertTrue(slow.cancel(true));
        waitUntil(() -> server.cancels.get() == 1, "the agent was told to cancel");
        waitUntil(() -> !server.turnRunning(), "the agent stopped the turn");
    }

    @Test
    void interruptAllAlsoStopsBackgroundTurns() {
        CompletableFuture<String> slow = askAsync(client, ID, NONCE, "slow");
        waitUntil(() -> Interrupts.pending() == 1 && server.turnRunning(), "the background turn runs");
        Interrupts.interruptAll();
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> await(slow));
        assertInstanceOf(TurnInterruptedException.class, thrown);
        assertEquals(1, server.cancels.get());
    }

    @Test
    void streamPrintsLiveEvenAtAConsole() {
        RecordingDisplay console = new RecordingDisplay(false);
        Display.install(console);
        String text = stream(client, ID, NONCE, "tool");
        assertEquals("Let me check.\n\nIt printed *hi*.", text, "text after a tool round starts a new paragraph");
        assertEquals("Let me check.\n▶ bash: echo hi\n  │ hi\nIt printed *hi*.\n", console.printed());
    }

    @Test
    void wrongArgumentsAreClearErrors() {
        var noId = assertThrows(IllegalArgumentException.class, () -> ask(client, " ", NONCE, "x"));
        assertTrue(noId.getMessage().contains("agentId is blank"), noId.getMessage());
        var noNonce = assertThrows(IllegalArgumentException.class, () -> ask(client, ID, null, "x"));
        assertTrue(noNonce.getMessage().contains("result.nonce()"), noNonce.getMessage());
        var noMessage = assertThrows(NullPointerException.class, () -> ask(client, ID, NONCE, null));
        assertTrue(noMessage.getMessage().contains("message"), noMessage.getMessage());
    }

    private static void waitUntil(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting until " + what);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
