package dev.agentkernel.client;

import dev.agentkernel.TurnResponse;
import dev.agentkernel.TurnStream;
import dev.agentkernel.spawn.AgentEndpoint;
import okhttp3.Call;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A turn's SSE stream as a blocking iterable. A reader thread parses events into a queue; the
 * iterator takes from it, and while waiting checks that the agent's process is still alive, so a
 * killed agent ends the stream with an error chunk instead of a hang. Closing before the final
 * chunk cancels the HTTP call and asks the agent to cancel the turn. Closing after it leaves the reader to
 * read the response's last bytes, so the connection goes back to the pool for the agent's next turn.
 */
final class SseTurnStream implements TurnStream {

    static final long LIVENESS_CHECK_MILLIS = 200;
    /** How long a finished turn's response may take to end (the runner ends it right after the final event). */
    static final long END_GRACE_MILLIS = 2000;
    /** How long a second closer waits for the first one's cancel request (which times out after 5 s). */
    static final long CANCEL_WAIT_MILLIS = 6000;

    private final ChunkQueue queue = new ChunkQueue();
    private final AtomicBoolean finalQueued = new AtomicBoolean();
    private final AtomicBoolean finalTaken = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean iterated = new AtomicBoolean();
    private final Call call;
    private final AgentEndpoint endpoint;
    private final Runnable cancelAtAgent;
    private final ExecutorService executor;
    private final java.time.Duration readTimeout;
    /** Counted down once the agent has been asked to cancel (and has answered, or the request failed). */
    private final CountDownLatch cancelDelivered = new CountDownLatch(1);
    /** Counted down when the reader has read the response to its end (or failed), and closed it. */
    private final CountDownLatch readerDone = new CountDownLatch(1);

    SseTurnStream(Call call, Response response, AgentEndpoint endpoint, Runnable cancelAtAgent, ExecutorService executor,
                  java.time.Duration readTimeout) {
        this.readTimeout = readTimeout;
        this.call = call;
        this.endpoint = endpoint;
        this.cancelAtAgent = cancelAtAgent;
        this.executor = executor;
        executor.execute(() -> {
            try {
                EventSources.processResponse(response, new Listener());
            } finally {
                readerDone.countDown();
            }
        });
    }

    /**
     * Reads one canned turn (a text event, then done) through the same SSE reader and parser a real turn uses, so
     * their classes are loaded before the first turn; see {@link HttpAgentClient#warmUp()}.
     */
    static void warmUp() {
        okhttp3.Request request = new okhttp3.Request.Builder().url("http://127.0.0.1/warm-up").build();
        Response canned = new Response.Builder().request(request).protocol(okhttp3.Protocol.HTTP_1_1).code(200).message("OK")
                .body(okhttp3.ResponseBody.create("event: " + dev.agentkernel.protocol.Protocol.EVENT_TEXT + "\ndata: {\""
                        + dev.agentkernel.protocol.TurnEventData.BODY + "\":\"warm-up\"}\n\nevent: " + dev.agentkernel.protocol.Protocol.EVENT_DONE
                        + "\ndata: {\"" + dev.agentkernel.protocol.TurnEventData.DONE + "\":true}\n\n", okhttp3.MediaType.get("text/event-stream")))
                .build();
        EventSources.processResponse(canned, new EventSourceListener() {
            @Override
            public void onEvent(EventSource source, String id, String type, String data) {
                TurnResponses.parse(type, data);
            }
        });
    }

    private final class Listener extends EventSourceListener {
        @Override
        public void onEvent(EventSource source, String id, String type, String data) {
            if (finalQueued.get()) return;
            TurnResponse chunk = TurnResponses.parse(type, data);
            if (chunk.done() || chunk.error() != null) {
                if (!finalQueued.compareAndSet(false, true)) return;
            }
            queue.add(chunk);
        }

        @Override
        public void onClosed(EventSource source) {
            lost("the agent closed the stream before the turn finished");
        }

        @Override
        public void onFailure(EventSource source, Throwable t, Response response) {
            if (t instanceof java.net.SocketTimeoutException) {
                lost("it sent nothing for " + readTimeout.toSeconds() + " s (the read timeout), not even the keep-alive a"
                        + " runner sends every " + dev.agentkernel.protocol.Protocol.SSE_KEEP_ALIVE.toSeconds()
                        + " s of silence, so it is hung or cut off; the turn was abandoned and cancelled at the agent");
                cancelQuietly();
                return;
            }
            lost(t != null ? t.toString() : "HTTP " + (response == null ? "?" : response.code()));
        }
    }

    private void lost(String why) {
        if (closed.get()) return;
        if (finalQueued.compareAndSet(false, true)) {
            String state = endpoint.isAlive() ? "" : " (its process is no longer running)";
            queue.add(TurnResponses.lost("the connection to agent '" + endpoint.name() + "' (" + endpoint.agentId()
                    + ") was lost before the turn finished" + state + ": " + why));
        }
    }

    @Override
    public Iterator<TurnResponse> iterator() {
        if (!iterated.compareAndSet(false, true)) {
            throw new IllegalStateException("a TurnStream can be iterated only once");
        }
        return new Iterator<>() {
            private TurnResponse next;

            @Override
            public boolean hasNext() {
                if (next != null) return true;
                if (finalTaken.get()) return false;
                if (closed.get()) return closedByOther();
                try {
                    while (next == null) {
                        next = queue.poll(LIVENESS_CHECK_MILLIS, TimeUnit.MILLISECONDS);
                        if (next == null && closed.get()) return closedByOther();
                        if (next == null && !endpoint.isAlive()) {
                            // Give the reader a moment to deliver what the agent sent before dying.
                            next = queue.poll(LIVENESS_CHECK_MILLIS, TimeUnit.MILLISECONDS);
                            if (next == null) {
                                lost("its process exited");
                                call.cancel();
                            }
                        }
                    }
                } catch (InterruptedException e) {
                    close(); // first, with the flag clear, so it can wait for a cancel another thread is sending
                    Thread.currentThread().interrupt();
                    return false;
                } catch (RuntimeException | Error e) {
                    // JShell's stop (Ctrl-C in bin/agentkernel jshell) throws an asynchronous ThreadDeath into this
                    // thread wherever it waits: the turn is cancelled at the agent before the stop goes on up.
                    close();
                    throw e;
                }
                if (next.done() || next.error() != null) finalTaken.set(true);
                return true;
            }

            @Override
            public TurnResponse next() {
                if (!hasNext()) throw new NoSuchElementException("the turn is over");
                TurnResponse out = next;
                next = null;
                return out;
            }
        };
    }

    /**
     * The stream was closed by another thread (an interrupt): the iteration ends once the agent has been told, so the
     * reader's next turn cannot reach the agent before the cancel does.
     */
    private boolean closedByOther() {
        awaitCancelDelivered();
        return false;
    }

    private void awaitCancelDelivered() {
        try {
            // bounded by the cancel request's own call timeout; a little more in case that thread is slow to start
            cancelDelivered.await(CANCEL_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the stream ended with its final chunk (done or error) queued. */
    boolean finished() { return finalQueued.get(); }

    private void cancelQuietly() {
        try {
            executor.execute(cancelAtAgent);
        } catch (RejectedExecutionException e) {
            // the client is closed
        }
    }

    /**
     * Closing before the final chunk cancels the turn at the agent. Every caller returns only once the agent has been
     * asked (its {@code /cancel} waits for the turn to wind down), also when another thread closed it first: an
     * interrupt closes the stream on its own thread, and the interrupted code's next turn must not overtake the cancel.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            awaitCancelDelivered();
            return;
        }
        // Wake a reader waiting for the next chunk on another thread now, not at its next liveness check (up to
        // 200 ms later, which an interrupt -> next ask paid in full: p50 206 ms with the runner's cancel at ~10 ms).
        // It still returns only once the cancel below has been delivered (closedByOther).
        queue.wake();
        if (!finalQueued.get()) {
            call.cancel();
            try {
                cancelAtAgent.run();
            } finally {
                cancelDelivered.countDown();
            }
            return;
        }
        cancelDelivered.countDown();
        // The turn is over. Cancelling now would usually cut the connection just before the reader reads the
        // response's end, and the next turn would pay for a new one; cancel only a response that does not end.
        if (readerDone.getCount() == 0) return;
        try {
            executor.execute(() -> {
                try {
                    if (!readerDone.await(END_GRACE_MILLIS, TimeUnit.MILLISECONDS)) call.cancel();
                } catch (InterruptedException e) {
                    call.cancel();
                }
            });
        } catch (RejectedExecutionException e) {
            call.cancel(); // the client is closed: nothing will reuse the connection
        }
    }

    /**
     * The chunks between the reader and the iterator, guarded by this object's monitor rather than a
     * {@code java.util.concurrent} lock: JShell's remote agent stops a snippet by throwing an asynchronous exception
     * into its thread (JDI {@code ThreadReference.stop}), and one landing inside a j.u.c. lock's acquire or
     * condition wait leaves it inconsistent ({@code IllegalMonitorStateException} from
     * {@code LinkedBlockingQueue.poll}, issue 17.3). A monitor is released and re-acquired by the JVM itself, so such
     * an exception leaves it intact.
     */
    private static final class ChunkQueue {
        private final java.util.ArrayDeque<TurnResponse> chunks = new java.util.ArrayDeque<>();

        synchronized void add(TurnResponse chunk) {
            chunks.addLast(chunk);
            notifyAll();
        }

        private boolean woken;

        /** Ends every wait for a chunk, now and later: the stream was closed. */
        synchronized void wake() {
            woken = true;
            notifyAll();
        }

        /** The next chunk, or null after {@code millis} without one or once {@link #wake()} was called. */
        synchronized TurnResponse poll(long millis, TimeUnit unit) throws InterruptedException {
            long deadline = System.nanoTime() + unit.toNanos(millis);
            while (chunks.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || woken) return null;
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return chunks.pollFirst();
        }
    }
}
