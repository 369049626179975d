package dev.agentkernel.bench;

import dev.agentkernel.SpawnResult;
import dev.agentkernel.bench.peer.PiPeer;
import dev.agentkernel.bench.peer.PiRpcSession;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static dev.agentkernel.bench.Stats.millisSince;

/**
 * N agents started at once, each given one "hello" turn as soon as it is ready: how long until every one has
 * answered, and what they hold in memory together. The first turns all load the LLM client at the same time, so
 * this shows what per-agent start-up work costs on a small machine.
 *
 * @param spawn     spawn → ready of each agent (ms)
 * @param turn      each agent's first turn, start to end (ms)
 * @param allMillis launch of the first to the answer of the last
 * @param totalRssMb resident memory of all the agents' processes together, after their turn
 */
record ManyAgents(List<Double> spawn, List<Double> turn, double allMillis, double totalRssMb) {

    static ManyAgents ours(BenchContext ctx, int n) throws Exception {
        List<Double> spawn = Collections.synchronizedList(new ArrayList<>());
        List<Double> turn = Collections.synchronizedList(new ArrayList<>());
        List<SpawnResult> agents = Collections.synchronizedList(new ArrayList<>());
        PeerComparison turns = new PeerComparison(ctx, null);
        long wall = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = "many-" + i;
                all.add(CompletableFuture.runAsync(() -> {
                    long t0 = System.nanoTime();
                    SpawnResult r = ctx.spawn(name);
                    spawn.add(millisSince(t0));
                    agents.add(r);
                    turn.add(turns.ourTurn(r, PeerComparison.HELLO).end());
                }, threads));
            }
            for (CompletableFuture<Void> f : all) BenchContext.await(f);
        }
        double allMillis = millisSince(wall);
        double rss = 0;
        for (SpawnResult r : agents) rss += IdleRssSection.rssKb(IdleRssSection.runnerPid(r.agent().id())) / 1024.0;
        ctx.killAll();
        return new ManyAgents(spawn, turn, allMillis, rss);
    }

    static ManyAgents peer(BenchContext ctx, PiPeer peer, int n) throws Exception {
        List<Double> spawn = Collections.synchronizedList(new ArrayList<>());
        List<Double> turn = Collections.synchronizedList(new ArrayList<>());
        List<PiRpcSession> sessions = Collections.synchronizedList(new ArrayList<>());
        try {
            long wall = System.nanoTime();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<CompletableFuture<Void>> all = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    all.add(CompletableFuture.runAsync(() -> {
                        try {
                            PiRpcSession pi = PiRpcSession.start(peer, PiPeer.writeHome(ctx.stateDir().resolve("peer-homes"), ctx.llmBaseUrl()));
                            sessions.add(pi);
                            spawn.add(pi.awaitReady(BenchContext.SPAWN_TIMEOUT));
                            turn.add(pi.prompt(PeerComparison.HELLO).endMillis());
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }, threads));
                }
                for (CompletableFuture<Void> f : all) BenchContext.await(f);
            }
            double allMillis = millisSince(wall);
            double rss = 0;
            for (PiRpcSession s : sessions) rss += IdleRssSection.rssKb(s.pid()) / 1024.0;
            return new ManyAgents(spawn, turn, allMillis, rss);
        } finally {
            List.copyOf(sessions).parallelStream().forEach(PiRpcSession::close);
        }
    }

    /** The rows of the comparison table, ours against {@code peer} (null: ours alone). */
    static List<dev.agentkernel.bench.peer.PeerRow> rows(int n, ManyAgents ours, ManyAgents peer) {
        String at = n + " agents at once, one turn each: ";
        java.util.function.Function<java.util.function.Function<ManyAgents, List<Double>>, List<Double>> p =
                f -> peer == null ? List.of() : f.apply(peer);
        var MS = dev.agentkernel.bench.peer.PeerRow.Unit.MS;
        return List.of(
                new dev.agentkernel.bench.peer.PeerRow(at + "spawn → ready, p50", MS, ours.spawn(), p.apply(ManyAgents::spawn), "—"),
                new dev.agentkernel.bench.peer.PeerRow(at + "spawn → ready, p99", MS, List.of(Stats.percentile(ours.spawn(), 99)),
                        p.apply(m -> List.of(Stats.percentile(m.spawn(), 99))), "—"),
                new dev.agentkernel.bench.peer.PeerRow(at + "first turn, p50", MS, ours.turn(), p.apply(ManyAgents::turn), "—"),
                new dev.agentkernel.bench.peer.PeerRow(at + "first turn, p99", MS, List.of(Stats.percentile(ours.turn(), 99)),
                        p.apply(m -> List.of(Stats.percentile(m.turn(), 99))), "—"),
                new dev.agentkernel.bench.peer.PeerRow(at + "all answered", MS, List.of(ours.allMillis()),
                        p.apply(m -> List.of(m.allMillis())), "ours ≤ 10 s"),
                new dev.agentkernel.bench.peer.PeerRow(at + "total RSS", dev.agentkernel.bench.peer.PeerRow.Unit.MB,
                        List.of(ours.totalRssMb()), p.apply(m -> List.of(m.totalRssMb())), "—"));
    }
}
