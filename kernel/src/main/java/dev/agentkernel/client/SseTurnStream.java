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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A turn's SSE stream as a blocking iterable. A reader thread parses events into a queue; the
 * iterator takes from it, and while waiting checks that the agent's process is still alive, so a
 * killed agent ends the stream with an error chunk instead of a hang. Closing before the final
 * chunk cancels the HTTP call and asks the agent to cancel the turn.
 */
final class SseTurnStream implements TurnStream {

    static final long LIVENESS_CHECK_MILLIS = 200;

    private final BlockingQueue<TurnResponse> queue = new LinkedBlockingQueue<>();
    private final AtomicBoolean finalQueued = new AtomicBoolean();
    private final AtomicBoolean finalTaken = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean iterated = new AtomicBoolean();
    private final Call call;
    private final AgentEndpoint endpoint;
    private final Runnable cancelAtAgent;

    SseTurnStream(Call call, Response response, AgentEndpoint endpoint, Runnable cancelAtAgent, ExecutorService executor) {
        this.call = call;
        this.endpoint = endpoint;
        this.cancelAtAgent = cancelAtAgent;
        executor.execute(() -> EventSources.processResponse(response, new Listener()));
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
        boolean unfinished = !finalQueued.get();
        call.cancel();
        if (unfinished) cancelAtAgent.run();
    }
}
