package dev.agentkernel.runner.http;

import com.sun.net.httpserver.HttpExchange;
import dev.agentkernel.protocol.Protocol;
import dev.agentkernel.runner.loop.TurnEvent;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** A {@code text/event-stream} response; each event is flushed at once so the client sees it as it happens. */
final class SseStream {
    private final OutputStream out;

    private SseStream(OutputStream out) {
        this.out = out;
    }

    static SseStream open(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        // The JDK server only buffers the headers of a chunked response; without this flush they would leave
        // with the first event, and the client could not set up its reader while the model is being called.
        // (Flushing a chunked stream with nothing written sends no chunk, so this ends nothing.)
        OutputStream out = exchange.getResponseBody();
        out.flush();
        return new SseStream(out);
    }

    /** @throws IOException when the client has gone away */
    void send(TurnEvent event) throws IOException {
        String frame = "event: " + event.name() + "\ndata: " + Protocol.json().writeValueAsString(event.data()) + "\n\n";
        write(frame);
    }

    /**
     * An SSE comment line, ignored by clients. Sent while a turn is silent (a long tool run) so that a
     * vanished client is noticed by the failing write and its turn cancelled.
     */
    void keepAlive() throws IOException {
        write(": keep-alive\n\n");
    }

    private void write(String frame) throws IOException {
        out.write(frame.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
