package dev.agentkernel.helpers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.AgentClient;
import dev.agentkernel.AgentInfo;
import dev.agentkernel.HistoryEntry;
import dev.agentkernel.TurnRequest;
import dev.agentkernel.TurnResponse;
import dev.agentkernel.TurnStream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A minimal AgentClient over java.net.http, written for these tests so the helpers can be exercised over
 * real HTTP + SSE independently of the kernel's client. Only turns are supported; closing a stream early
 * posts /cancel like the kernel's client does.
 */
final class SseTestClient implements AgentClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final URI base;

    SseTestClient(URI base) {
        this.base = base;
    }

    @Override
    public TurnStream turn(TurnRequest request) {
        HttpRequest post = HttpRequest.newBuilder(base.resolve("/turn"))
                .header("Authorization", "Bearer " + request.nonce())
                .POST(HttpRequest.BodyPublishers.ofByteArray(request.body())).build();
        try {
            HttpResponse<InputStream> response = http.send(post, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new IllegalStateException("turn refused with HTTP " + response.statusCode());
            }
            return new Stream(response.body(), request.nonce());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private final class Stream implements TurnStream {
        private final InputStream body;
        private final BufferedReader reader;
        private final String nonce;
        private volatile boolean finished;
        private volatile boolean closed;

        Stream(InputStream body, String nonce) {
            this.body = body;
            this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            this.nonce = nonce;
        }

        @Override
        public Iterator<TurnResponse> iterator() {
            return new Iterator<>() {
                private TurnResponse next;

                @Override
                public boolean hasNext() {
                    if (next == null && !finished) next = read();
                    return next != null;
                }

                @Override
                public TurnResponse next() {
                    if (!hasNext()) throw new NoSuchElementException();
                    TurnResponse chunk = next;
                    next = null;
                    if (chunk.done()) finished = true;
                    return chunk;
                }
            };
        }

        private TurnResponse read() {
            String event = null;
            String data = null;
            try {
                for (String line; (line = reader.readLine()) != null; ) {
                    if (line.startsWith("event: ")) event = line.substring(7);
                    else if (line.startsWith("data: ")) data = line.substring(6);
                    else if (line.isEmpty() && data != null) {
                        JsonNode node = JSON.readTree(data);
                        String error = node.path("error").isTextual() ? node.get("error").asText() : null;
                        return new TurnResponse(event, node.path("body").isTextual() ? node.get("body").asText() : null,
                                error, node.path("done").asBoolean(false), node);
                    }
                }
                finished = true;
                return null;
            } catch (IOException e) {
                finished = true;
                if (closed) throw new UncheckedIOException("stream closed", e);
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            if (!finished) {
                HttpRequest cancel = HttpRequest.newBuilder(base.resolve("/cancel"))
                        .header("Authorization", "Bearer " + nonce)
                        .POST(HttpRequest.BodyPublishers.noBody()).build();
                http.sendAsync(cancel, HttpResponse.BodyHandlers.discarding()).join();
            }
            try {
                body.close();
            } catch (IOException ignored) {
                // already broken: nothing more to release
            }
        }
    }

    @Override
    public CompletableFuture<List<HistoryEntry>> getHistory(String agentId, int lastN) {
        throw new UnsupportedOperationException("not needed by these tests");
    }

    @Override
    public CompletableFuture<AgentInfo> getInfo(String agentId) {
        throw new UnsupportedOperationException("not needed by these tests");
    }

    @Override
    public String ask(String agentId, String nonce, String message, Consumer<TurnResponse> onChunk) {
        throw new UnsupportedOperationException("the helpers' own ask is under test");
    }

    @Override
    public CompletableFuture<String> askAsync(String agentId, String nonce, String message) {
        throw new UnsupportedOperationException("the helpers' own askAsync is under test");
    }
}
