package dev.agentkernel.fakellm;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes Server-Sent Events and flushes each one, so the client sees every delta as it is produced.
 * An {@link IOException} means the client went away (e.g. a cancelled turn); callers just stop.
 */
final class SseWriter {
    private final OutputStream out;
    private final long delayMillis;

    /** @param delayMillis pause before each delta event ({@code [[slow: MS]]}) */
    SseWriter(OutputStream out, long delayMillis) {
        this.out = out;
        this.delayMillis = delayMillis;
    }

    /** {@code event: NAME} + {@code data: JSON} (Anthropic style). */
    void event(String name, JsonNode data) throws IOException {
        write("event: " + name + "\ndata: " + Json.write(data) + "\n\n");
    }

    /** A data-only event (OpenAI style); {@code raw} is sent as is, e.g. {@code [DONE]}. */
    void data(String raw) throws IOException {
        write("data: " + raw + "\n\n");
    }

    void data(JsonNode data) throws IOException {
        data(Json.write(data));
    }

    /** Waits the scripted delay before a delta; returns at once when there is none. */
    void pause() throws InterruptedException {
        if (delayMillis > 0) {
            Thread.sleep(delayMillis);
        }
    }

    private void write(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
