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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
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

    private final BlockingQueue<TurnResponse> queue = new LinkedBlockingQueue<>();
    private final AtomicBoolean finalQueued = new AtomicBoolean();
    private final AtomicBoolean finalTaken = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean iterated = new AtomicBoolean();
    private final Call call;
    private final AgentEndpoint endpoint;
    private final Runnable cancelAtAgent;
    private final ExecutorService executor;
    /** Counted down when the reader has read the response to its end (or failed), and closed it. */
    private final CountDownLatch readerDone = new CountDownLatch(1);

    SseTurnStream(Call call, Response response, AgentEndpoint endpoint, Runnable cancelAtAgent, ExecutorService executor) {
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
                if (finalTaken.get() || closed.get()) return false;
                try {
                    while (next == null) {
                        next = queue.poll(LIVENESS_CHECK_MILLIS, TimeUnit.MILLISECONDS);
                        if (next == null && closed.get()) return false;
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
                    Thread.currentThread().interrupt();
                    close();
                    return false;
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

    /** Whether the stream ended with its final chunk (done or error) queued. */
    boolean finished() { return finalQueued.get(); }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        if (!finalQueued.get()) {
            call.cancel();
            cancelAtAgent.run();
            return;
        }
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
}
