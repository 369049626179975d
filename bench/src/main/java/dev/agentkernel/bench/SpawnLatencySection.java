package dev.agentkernel.bench;

import dev.agentkernel.SpawnResult;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.agentkernel.bench.Stats.millisSince;
import static dev.agentkernel.bench.Stats.ms;
import static dev.agentkernel.bench.Stats.percentile;

/** Spawn → ready (the agent answers /health): one at a time, then many at once. */
public final class SpawnLatencySection implements BenchSection {

    @Override public String name() { return "spawn"; }

    @Override public String description() {
        return "spawn -> ready latency, sequential and N agents at once";
    }

    @Override
    public List<BenchRow> run(BenchContext ctx) {
        return measure(ctx);
    }

    private List<BenchRow> measure(BenchContext ctx) {
        int n = ctx.options().samples();
        // The first spawn pays for loading the kernel's own classes; it is not what a user waits for twice.
        ctx.kill(ctx.spawn("warmup").agent().id());

        List<Double> sequential = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            SpawnResult r = ctx.spawn("seq-" + i);
            sequential.add(millisSince(start));
            ctx.kill(r.agent().id());
        }
        ctx.progress("sequential spawn p50 " + ms(percentile(sequential, 50)));

        int p = ctx.options().parallel();
        List<Double> concurrent = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<SpawnResult>> spawns = new ArrayList<>();
        long wallStart = System.nanoTime();
        for (int i = 0; i < p; i++) {
            long start = System.nanoTime();
            spawns.add(ctx.kernel().spawner().spawn(ctx.spawnRequest("par-" + i))
                    .whenComplete((r, e) -> { if (e == null) concurrent.add(millisSince(start)); }));
        }
        for (CompletableFuture<SpawnResult> spawn : spawns) BenchContext.await(spawn);
        double wall = millisSince(wallStart);
        ctx.progress(p + " concurrent spawns ready after " + ms(wall));

        return List.of(
                new BenchRow("spawn → ready, one agent, p50 (n=" + n + ")", ms(percentile(sequential, 50)), "≤ 300 ms"),
                new BenchRow("spawn → ready, one agent, p95 (n=" + n + ")", ms(percentile(sequential, 95)), "—"),
                new BenchRow("spawn → ready, " + p + " at once, p50", ms(percentile(concurrent, 50)), "—"),
                new BenchRow("spawn → ready, " + p + " at once, p95", ms(percentile(concurrent, 95)), "—"),
                new BenchRow("spawn → ready, " + p + " at once, all ready", ms(wall), "—"));
    }
}
