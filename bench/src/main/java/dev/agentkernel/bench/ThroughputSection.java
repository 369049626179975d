package dev.agentkernel.bench;

import dev.agentkernel.SpawnResult;
import dev.agentkernel.TurnRequest;
import dev.agentkernel.TurnResponse;
import dev.agentkernel.TurnStream;

import java.util.ArrayList;
import java.util.List;

import static dev.agentkernel.bench.Stats.millisSince;

/**
 * Text chunks per second through one agent turn: the scripted server streams N one-word deltas ({@code w1 .. wN})
 * and the turn is timed from its start to its final event.
 */
public final class ThroughputSection implements BenchSection {

    private static final int RUNS = 3;

    @Override public String name() { return "throughput"; }

    @Override public String description() {
        return "text chunks per second through one turn ([[chunks: N]])";
    }

    @Override
    public List<BenchRow> run(BenchContext ctx) {
        return measure(ctx);
    }

    private List<BenchRow> measure(BenchContext ctx) {
        int chunks = ctx.options().chunks();
        SpawnResult agent = ctx.spawn("throughput");
        streamTurn(ctx, agent, Math.min(chunks, 1000)); // warm-up: JIT and connections
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            long start = System.nanoTime();
            streamTurn(ctx, agent, chunks);
            double seconds = millisSince(start) / 1000.0;
            rates.add(chunks / seconds);
        }
        ctx.progress("chunks/s per run: " + rates.stream().map(r -> String.format("%.0f", r)).toList());
        return List.of(new BenchRow("text chunks per second through one turn (" + chunks + " chunks, median of " + RUNS + ")",
                String.format("%,.0f /s", Stats.median(rates)), "≥ 5,000 /s"));
    }

    /** Streams one turn of {@code chunks} LLM deltas to the end; fails if the last word never arrived. */
    private static void streamTurn(BenchContext ctx, SpawnResult agent, int chunks) {
        String last = "";
        String message = "stream please [[chunks: " + chunks + "]]";
        try (TurnStream stream = ctx.kernel().agentClient()
                .turn(TurnRequest.userMessage(agent.agent().id(), agent.nonce(), message))) {
            for (TurnResponse chunk : stream) {
                if (chunk.isText() && chunk.body() != null && !chunk.body().isEmpty()) last = chunk.body();
                if (chunk.error() != null) throw new IllegalStateException("the benchmark turn failed: " + chunk.error());
            }
        }
        // The runner may merge deltas, so count the LLM's words by checking the last one arrived.
        if (!last.strip().endsWith("w" + chunks)) {
            throw new IllegalStateException("the turn ended before word w" + chunks + " arrived (last chunk: " + last + ")");
        }
    }
}
