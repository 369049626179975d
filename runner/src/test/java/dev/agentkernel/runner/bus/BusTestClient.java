package dev.agentkernel.runner.bus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.protocol.Protocol;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A plain HTTP client for the bus endpoints, so tests see status codes as a reader would. */
final class BusTestClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    final String busId;
    private final String nonce;

    BusTestClient(int port, String busId, String nonce) {
        this.base = "http://127.0.0.1:" + port;
        this.busId = busId;
        this.nonce = nonce;
    }

    HttpResponse<String> get(String path, String bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90)).GET();
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        return send(b.build());
    }

    HttpResponse<String> vote(String intentionId, boolean approve, String reason) {
        String body = Protocol.json().createObjectNode().put("intention_id", intentionId).put("approve", approve)
                .put("voter", "tester").put("reason", reason).toString();
        return send(HttpRequest.newBuilder(URI.create(base + "/bus/" + busId + "/votes")).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + nonce).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** Entries from {@code start}, waiting at most {@code timeoutMs} when there are none. */
    List<JsonNode> entries(long start, long timeoutMs) {
        HttpResponse<String> r = get("/bus/" + busId + "/entries?start=" + start + "&timeout_ms=" + timeoutMs, nonce);
        if (r.statusCode() != 200) throw new IllegalStateException("bus read answered " + r.statusCode() + ": " + r.body());
        List<JsonNode> out = new ArrayList<>();
        json(r.body()).get("entries").forEach(out::add);
        return out;
    }

    /** Follows the log until an entry matches, up to 20 s. */
    JsonNode await(Predicate<JsonNode> match) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long next = 0;
        while (System.nanoTime() < deadline) {
            for (JsonNode e : entries(next, 1000)) {
                next = e.get("position").longValue() + 1;
                if (match.test(e)) return e;
            }
        }
        throw new AssertionError("no matching bus entry within 20 s");
    }

    static List<String> types(List<JsonNode> entries) {
        return entries.stream().map(e -> e.get("type").asText()).toList();
    }

    static JsonNode json(String s) {
        try {
            return Protocol.json().readTree(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> send(HttpRequest req) {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
