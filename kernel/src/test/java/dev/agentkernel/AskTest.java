package dev.agentkernel;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** The one "ask" (issue 16.2): its answer, its two failures and its cancellation, over a scripted stream. */
class AskTest {
    private static final TurnResponse DONE = new TurnResponse("done", null, null, true, null);

    private static TurnResponse text(String t) { return new TurnResponse("text", t, null, false, null); }

    /** A client whose every turn plays {@code chunks}, then blocks until closed when {@code hang}. */
    private static final class ScriptedClient implements AgentClient {
        final List<TurnResponse> chunks;
        final boolean hang;
        final AtomicInteger closes = new AtomicInteger();
        final CountDownLatch started = new CountDownLatch(1);

        ScriptedClient(boolean hang, TurnResponse... chunks) {
            this.hang = hang;
            this.chunks = List.of(chunks);
        }

        @Override
        public TurnStream turn(TurnRequest request) {
            LinkedBlockingQueue<TurnResponse> queue = new LinkedBlockingQueue<>(chunks);
            AtomicBoolean closed = new AtomicBoolean();
            return new TurnStream() {
                @Override
                public void close() {
                    if (closed.compareAndSet(false, true)) closes.incrementAndGet();
                }

                @Override
                public Iterator<TurnResponse> iterator() {
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            if (!queue.isEmpty()) return true;
                            started.countDown();
                            while (hang && !closed.get()) {
                                if (Thread.currentThread().isInterrupted()) return false;
                                try { Thread.sleep(5); } catch (InterruptedException e) { return false; }
                            }
                            if (closed.get()) throw new IllegalStateException("stream closed");
                            return false;
                        }

                        @Override
                        public TurnResponse next() {
                            TurnResponse r = queue.poll();
                            if (r == null) throw new NoSuchElementException();
                            return r;
                        }
                    };
                }
            };
        }

        @Override
        public CompletableFuture<List<HistoryEntry>> getHistory(String agentId, int lastN) { throw new UnsupportedOperationException(); }

        @Override
        public CompletableFuture<AgentInfo> getInfo(String agentId) { throw new UnsupportedOperationException(); }

        @Override
        public CompletableFuture<String> askAsync(String agentId, String nonce, String message) { throw new UnsupportedOperationException(); }
    }

    @Test
    void theAnswerIsTheTextOfTheTextEventsAndEveryChunkReachesTheListener() {
        ScriptedClient client = new ScriptedClient(false, text("Echo: "), new TurnResponse("thinking", "hm", null, false, null), text("hi"), DONE);
        List<String> seen = new ArrayList<>();
        assertEquals("Echo: hi", client.newAsk("a1", "n", "hi").execute(c -> seen.add(c.event())));
        assertEquals(List.of("text", "thinking", "text", "done"), seen);
        assertEquals(1, client.closes.get(), "the stream is closed after the turn");
    }

    @Test
    void anErrorEventAndAStreamWithoutDoneAreTurnFailures() {
        ScriptedClient failing = new ScriptedClient(false, text("x"), new TurnResponse("error", null, "overloaded", true, null));
        TurnFailedException e = assertThrows(TurnFailedException.class, () -> failing.ask("a1", "n", "hi"));
        assertEquals("Agent a1 failed the turn: overloaded", e.getMessage());
        ScriptedClient truncated = new ScriptedClient(false, text("x"));
        TurnFailedException cut = assertThrows(TurnFailedException.class, () -> truncated.ask("a1", "n", "hi"));
        assertTrue(cut.getMessage().contains("ended without a done event") && cut.getMessage().contains("runner.err"), cut.getMessage());
    }

    @Test
    void cancelFromAnotherThreadClosesTheStreamAndRaisesAskCancelled() throws Exception {
        ScriptedClient client = new ScriptedClient(true, text("partial"));
        Ask ask = client.newAsk("a1", "n", "slow");
        CompletableFuture<String> running = CompletableFuture.supplyAsync(() -> ask.execute(c -> {}));
        assertTrue(client.started.await(5, TimeUnit.SECONDS));
        ask.cancel();
        var thrown = assertThrows(java.util.concurrent.ExecutionException.class, () -> running.get(5, TimeUnit.SECONDS));
        assertInstanceOf(AskCancelledException.class, thrown.getCause());
        assertTrue(thrown.getCause().getMessage().contains("cancelled at the agent"), thrown.getCause().getMessage());
        assertTrue(ask.isCancelled());
        assertEquals(1, client.closes.get(), "closing the stream is what cancels the turn at the agent");
    }

    @Test
    void anAskCancelledBeforeItRunsNeverStartsATurnAndAnInterruptedThreadEndsAsCancelled() {
        ScriptedClient client = new ScriptedClient(false, DONE);
        Ask early = client.newAsk("a1", "n", "hi");
        early.cancel();
        assertThrows(AskCancelledException.class, () -> early.execute(c -> {}));
        assertEquals(0, client.closes.get(), "no turn was started");

        ScriptedClient hanging = new ScriptedClient(true, text("partial"));
        Thread.currentThread().interrupt();
        try {
            assertThrows(AskCancelledException.class, () -> hanging.ask("a1", "n", "hi"));
            assertFalse(Thread.currentThread().isInterrupted(), "the flag became the exception, not left set");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aMissingIdOrNonceNamesWhatToPass() {
        ScriptedClient client = new ScriptedClient(false, DONE);
        var noNonce = assertThrows(NonceRejectedException.class, () -> client.newAsk("a1", " ", "hi"));
        assertTrue(noNonce.getMessage().startsWith("nonce is blank for agent a1: pass the nonce from its SpawnResult"), noNonce.getMessage());
        var noId = assertThrows(IllegalArgumentException.class, () -> client.newAsk(null, "n", "hi"));
        assertTrue(noId.getMessage().startsWith("agentId is null"), noId.getMessage());
    }
}
