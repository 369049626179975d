package dev.agentkernel.runner;

import dev.agentkernel.protocol.TurnEventData;
import dev.agentkernel.protocol.BearerCheck;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.protocol.Protocol;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A minimal protocol client for tests: plain JDK HttpClient and a hand-read SSE stream, nothing shared with the runner. */
public final class RunnerClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String nonce;

    public RunnerClient(String baseUrl, String nonce) {
        this.baseUrl = baseUrl;
        this.nonce = nonce;
    }

    public HttpResponse<String> get(String path, String bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30)).GET();
        if (bearer != null) {
            b.header(BearerCheck.HEADER, BearerCheck.headerValue(bearer));
        }
        return send(b.build());
    }

    public HttpResponse<String> get(String path) {
        return get(path, nonce);
    }

    public HttpResponse<String> post(String path, String body, String bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header(BearerCheck.HEADER, BearerCheck.headerValue(bearer));
        }
        return send(b.build());
    }

    public static String turnBody(String userText) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putArray("messages").addObject().put("role", "user").put("content", userText);
        return body.toString();
    }

    /** Posts a turn and reads the SSE stream to its end. */
    public List<SseEvent> turn(String userText) {
        try (TurnStream stream = openTurn(userText)) {
            return stream.readAll();
        }
    }

    /** Posts a turn and returns the open stream, for tests that act while it runs. */
    public TurnStream openTurn(String userText) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + Protocol.PATH_TURN)).timeout(Duration.ofSeconds(60))
                .header(BearerCheck.HEADER, BearerCheck.headerValue(nonce))
                .POST(HttpRequest.BodyPublishers.ofString(turnBody(userText))).build();
        try {
            HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            if (resp.statusCode() != 200) {
                String err = new String(resp.body().readAllBytes(), StandardCharsets.UTF_8);
                resp.body().close();
                throw new IllegalStateException("turn answered " + resp.statusCode() + ": " + err);
            }
            return new TurnStream(resp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> send(HttpRequest req) {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An open turn response; also records the raw lines to check the wire format. */
    public static final class TurnStream implements AutoCloseable {
        private final HttpResponse<InputStream> response;
        private final BufferedReader reader;
        public final List<String> rawLines = new ArrayList<>();

        TurnStream(HttpResponse<InputStream> response) {
            this.response = response;
            this.reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        }

        public HttpResponse<InputStream> response() {
            return response;
        }

        /** The next event, or null at the end of the stream. Comment lines are skipped, as SSE requires. */
        public SseEvent next() {
            try {
                String name = "message";
                StringBuilder data = new StringBuilder();
                String line;
                while ((line = reader.readLine()) != null) {
                    rawLines.add(line);
                    if (line.isEmpty()) {
                        if (!data.isEmpty()) {
                            return new SseEvent(name, Protocol.json().readTree(data.toString()));
                        }
                        continue;
                    }
                    if (line.startsWith(":")) {
                        continue;
                    }
                    if (line.startsWith("event: ")) {
                        name = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        data.append(line.substring(6));
                    }
                }
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Reads until an event matches (returned) or the stream ends (null). */
        public SseEvent nextMatching(Predicate<SseEvent> p) {
            SseEvent e;
            while ((e = next()) != null) {
                if (p.test(e)) {
                    return e;
                }
            }
            return null;
        }

        public List<SseEvent> readAll() {
            List<SseEvent> events = new ArrayList<>();
            SseEvent e;
            while ((e = next()) != null) {
                events.add(e);
            }
            return events;
        }

        @Override
        public void close() {
            try {
                reader.close();
            } catch (IOException ignored) {
                // closing is all we wanted
            }
        }
    }

    /** The concatenated {@code body} of the text events. */
    public static String text(List<SseEvent> events) {
        StringBuilder sb = new StringBuilder();
        events.stream().filter(e -> e.name().equals(Protocol.EVENT_TEXT)).forEach(e -> sb.append(e.data().path(TurnEventData.BODY).asText()));
        return sb.toString();
    }

    public static SseEvent last(List<SseEvent> events) {
        return events.get(events.size() - 1);
    }

    public static List<SseEvent> named(List<SseEvent> events, String name) {
        return events.stream().filter(e -> e.name().equals(name)).toList();
    }

    public static JsonNode json(String s) {
        try {
            return Protocol.json().readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
