package dev.agentkernel.bench;

import dev.agentkernel.SpawnResult;
import dev.agentkernel.TurnRequest;
import dev.agentkernel.TurnResponse;
import dev.agentkernel.TurnStream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.agentkernel.bench.Stats.millisSince;
import static dev.agentkernel.bench.Stats.ms;
import static dev.agentkernel.bench.Stats.median;

/**
 * What the kernel and runner add to time-to-first-token: the first text delta read straight from the
 * scripted LLM server's stream, against the first text chunk of an agent turn asking the same thing.
 */
public final class FirstTokenSection implements BenchSection {

    private static final String MESSAGE = "hello from the benchmark";
    private static final int WARMUP = 3;

    @Override public String name() { return "first-token"; }

    @Override public String description() {
        return "latency the kernel adds to the first text chunk (direct LLM stream vs agent turn)";
    }

    @Override
    public List<BenchRow> run(BenchContext ctx) throws Exception {
        // OkHttp, the client stack the kernel and the runner's LLM SDK use, so the direct baseline pays the
        // same client costs. (java.net.http sends headers and body in two TCP writes and then waits out the
        // server's delayed ACK: ~40 ms that no real agent path has.)
        OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
        try {
            return measure(ctx, http);
        } finally {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
    }

    private List<BenchRow> measure(BenchContext ctx, OkHttpClient http) throws Exception {
        int n = ctx.options().samples();
        SpawnResult agent = ctx.spawn("first-token");
        for (int i = 0; i < WARMUP; i++) {
            agentFirstToken(ctx, agent);
            replayFirstToken(ctx, http, ctx.lastLlmRequestBody());
        }
        // Paired: each turn, then the very request its runner sent, replayed straight to the server. A one-message
        // direct request (what this section sent before) left the growing conversation's server time in "added".
        List<Double> direct = new ArrayList<>(), viaAgent = new ArrayList<>(), added = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double turn = agentFirstToken(ctx, agent);
            double replay = replayFirstToken(ctx, http, ctx.lastLlmRequestBody());
            viaAgent.add(turn);
            direct.add(replay);
            added.add(turn - replay);
        }
        ctx.progress("first token: direct p50 " + ms(median(direct)) + ", via agent p50 " + ms(median(viaAgent)));
        return List.of(
                new BenchRow("first token, LLM server direct (the turn's own request replayed), p50 (n=" + n + ")", ms(median(direct)), "—"),
                new BenchRow("first token, through an agent turn, p50 (n=" + n + ")", ms(median(viaAgent)), "—"),
                new BenchRow("kernel's added latency to first token, p50 of paired differences", ms(median(added)), "≤ 3 ms"));
    }

    /** Milliseconds from sending {@code body} (a recorded Messages request) to reading its first text delta. */
    static double replayFirstToken(BenchContext ctx, OkHttpClient http, com.fasterxml.jackson.databind.JsonNode body) throws Exception {
        return firstTextDelta(ctx, http, body.toString());
    }

    /** Milliseconds from sending a streaming Messages request to reading its first text delta. */
    private static double firstTextDelta(BenchContext ctx, OkHttpClient http, String body) throws Exception {
        Request request = new Request.Builder()
                .url(ctx.llmBaseUrl() + "/v1/messages")
                .header("x-api-key", ctx.apiKey())
                .header("anthropic-version", "2023-06-01")
                .post(RequestBody.create(body, MediaType.get("application/json")))
                .build();
        long start = System.nanoTime();
        try (Response response = http.newCall(request).execute();
             BufferedReader lines = new BufferedReader(new InputStreamReader(response.body().byteStream(), StandardCharsets.UTF_8))) {
            if (response.code() != 200) {
                throw new IllegalStateException("the scripted LLM server answered HTTP " + response.code());
            }
            Double first = null;
            for (String line; (line = lines.readLine()) != null; ) {
                if (first == null && line.startsWith("data:") && line.contains("\"text_delta\"")) first = millisSince(start);
            }
            // Read to the end so the connection goes back to the pool, as the runner's does.
            if (first == null) throw new IllegalStateException("the scripted LLM stream carried no text delta");
            return first;
        }
    }

    /** Milliseconds from starting a turn to its first text chunk; drains the rest so the agent is idle again. */
    private static double agentFirstToken(BenchContext ctx, SpawnResult agent) {
        long start = System.nanoTime();
        Double first = null;
        try (TurnStream stream = ctx.kernel().agentClient()
                .turn(TurnRequest.userMessage(agent.agent().id(), agent.nonce(), MESSAGE))) {
            for (TurnResponse chunk : stream) {
                if (first == null && chunk.isText()) first = millisSince(start);
                if (chunk.error() != null) throw new IllegalStateException("the benchmark turn failed: " + chunk.error());
            }
        }
        if (first == null) throw new IllegalStateException("the agent's turn carried no text chunk");
        return first;
    }
}
