package dev.agentkernel.bench;

import dev.agentkernel.SpawnResult;
import dev.agentkernel.TurnRequest;
import dev.agentkernel.TurnResponse;
import dev.agentkernel.TurnStream;
import dev.agentkernel.bench.peer.PeerRow;
import dev.agentkernel.bench.peer.PeerRow.Unit;
import dev.agentkernel.bench.peer.PiPeer;
import dev.agentkernel.bench.peer.PiRpcSession;
import okhttp3.OkHttpClient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.agentkernel.bench.Stats.median;
import static dev.agentkernel.bench.Stats.millisSince;

/**
 * Ours against the peer (pi-coding-agent in RPC mode), both on the same scripted LLM server, interleaved: even
 * rounds run ours first, odd rounds the peer first (AB/BA), so drift in the shared machine's load hits both sides
 * alike. Every row keeps all samples: the table shows medians, the ratio and the quartiles.
 */
final class PeerComparison {

    static final String HELLO = "hello";
    /** Warm turns per cold agent. */
    static final int WARM_TURNS = 5;
    /**
     * A moderate stream: the peer's RPC events repeat the whole partial message each time, so its output grows
     * quadratically with the length (20,000 chunks crashed it with ENOBUFS, peers.md).
     */
    static final int CHUNKS = 2000;
    static final int RSS_ROUNDS = 3;
    static final long SETTLE_MILLIS = 1000;

    private final BenchContext ctx;
    private final PiPeer peer;
    private final Path peerHomes;
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();

    // one list per row and side
    final List<Double> readyOurs = new ArrayList<>(), readyPeer = new ArrayList<>();
    final List<Double> spawnFirstOurs = new ArrayList<>(), spawnFirstPeer = new ArrayList<>();
    final List<Double> firstOurs = new ArrayList<>(), firstPeer = new ArrayList<>();
    final List<Double> warmOurs = new ArrayList<>(), warmPeer = new ArrayList<>();
    final List<Double> wholeOurs = new ArrayList<>(), wholePeer = new ArrayList<>();
    final List<Double> direct = new ArrayList<>(), directPeer = new ArrayList<>();
    final List<Double> addedOurs = new ArrayList<>(), addedPeer = new ArrayList<>();
    final List<Double> chunksOurs = new ArrayList<>(), chunksPeer = new ArrayList<>();
    final List<Double> idleOurs = new ArrayList<>(), idlePeer = new ArrayList<>();
    final List<Double> afterOurs = new ArrayList<>(), afterPeer = new ArrayList<>();
    final List<Double> oneShotOurs = new ArrayList<>(), oneShotPeer = new ArrayList<>();
    /** Ours only: spawns claimed from a warm pool (its own rows, next to the peer's cold ones: the peer has no pool). */
    final List<Double> claimOurs = new ArrayList<>(), pooledFirstOurs = new ArrayList<>();

    PeerComparison(BenchContext ctx, PiPeer peer) {
        this.ctx = ctx;
        this.peer = peer;
        this.peerHomes = ctx.stateDir().resolve("peer-homes");
    }

    List<PeerRow> run(int rounds) throws Exception {
        try {
            // Both first runs pay one-off costs (the kernel's classes, the runner's CDS archive, Node's compile cache).
            ctx.progress("peer: warm-up of both sides ...");
            oursCold(false);
            peerCold(false);
            for (int i = 0; i < rounds; i++) {
                ctx.progress("peer: round " + (i + 1) + "/" + rounds + (i % 2 == 0 ? " (ours first)" : " (peer first)"));
                if (i % 2 == 0) { oursCold(true); peerCold(true); } else { peerCold(true); oursCold(true); }
            }
            if (!ctx.sandboxed()) oursPooled(rounds);
            for (int i = 0; i < RSS_ROUNDS; i++) {
                ctx.progress("peer: memory round " + (i + 1) + "/" + RSS_ROUNDS);
                if (i % 2 == 0) { oursRss(); peerRss(); } else { peerRss(); oursRss(); }
            }
            Path oneShotState = ctx.stateDir().resolve("oneshot");
            oursOneShot(oneShotState, false);
            peerOneShot(false);
            for (int i = 0; i < rounds; i++) {
                ctx.progress("peer: cold one-shot " + (i + 1) + "/" + rounds);
                if (i % 2 == 0) { oursOneShot(oneShotState, true); peerOneShot(true); }
                else { peerOneShot(true); oursOneShot(oneShotState, true); }
            }
        } finally {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
        return rows();
    }

    List<PeerRow> rows() {
        List<PeerRow> rows = new ArrayList<>(List.of(
                new PeerRow("start → ready", Unit.MS, readyOurs, readyPeer, "—"),
                new PeerRow("spawn → first token of the first turn", Unit.MS, spawnFirstOurs, spawnFirstPeer, "≤ 0.5×")));
        if (!claimOurs.isEmpty()) {
            rows.add(new PeerRow("warm pool (warm_pool: 1), ours only: spawn → ready, a claim (peer: its cold start → ready)",
                    Unit.MS, claimOurs, readyPeer, "own row"));
            rows.add(new PeerRow("warm pool: spawn → first token of the first turn (peer: its cold spawn)", Unit.MS,
                    pooledFirstOurs, spawnFirstPeer, "own row"));
        }
        rows.addAll(List.of(
                new PeerRow("first token of the first turn", Unit.MS, firstOurs, firstPeer, "≤ 2× our warm"),
                new PeerRow("first token, warm agent", Unit.MS, warmOurs, warmPeer, "≤ 1.0×"),
                new PeerRow("first token, LLM server direct (each side's own turn request replayed)", Unit.MS, direct, directPeer, "—"),
                new PeerRow("added over the LLM server direct, warm first token (paired per turn)", Unit.MS, addedOurs, addedPeer, "ours ≤ 3 ms"),
                new PeerRow("whole warm \"" + HELLO + "\" turn", Unit.MS, wholeOurs, wholePeer, "—"),
                new PeerRow("cold one-shot: start, spawn, one ask, kill, exit (peer: pi -p hello)", Unit.MS, oneShotOurs, oneShotPeer, "≤ 1.0×"),
                new PeerRow("idle RSS (spawned, no turn yet)", Unit.MB, idleOurs, idlePeer, "≤ 0.5×"),
                new PeerRow("RSS after one turn", Unit.MB, afterOurs, afterPeer, "≤ 0.75×"),
                new PeerRow("text chunks per second, " + CHUNKS + " chunks (peer repeats the partial message per event)",
                        Unit.PER_SECOND, chunksOurs, chunksPeer, "—")));
        return rows;
    }

    // ------------------------------------------------------------------ ours

    private void oursCold(boolean record) throws Exception {
        long t0 = System.nanoTime();
        SpawnResult agent = ctx.spawn("peer-cmp");
        double ready = millisSince(t0);
        try {
            long turnStart = System.nanoTime();
            TurnTiming first = ourTurn(agent, HELLO);
            List<Double> warm = new ArrayList<>(), whole = new ArrayList<>(), d = new ArrayList<>();
            for (int i = 0; i < WARM_TURNS; i++) {
                TurnTiming t = ourTurn(agent, HELLO);
                warm.add(t.first());
                whole.add(t.end());
                d.add(FirstTokenSection.replayFirstToken(ctx, http, ctx.lastLlmRequestBody()));
            }
            long s = System.nanoTime();
            TurnTiming stream = ourTurn(agent, "stream please [[chunks: " + CHUNKS + "]]");
            double streamSeconds = millisSince(s) / 1000.0;
            if (!stream.text().strip().endsWith("w" + CHUNKS)) throw new IllegalStateException("our stream ended early: " + tail(stream.text()));
            if (record) {
                readyOurs.add(ready);
                firstOurs.add(first.first());
                spawnFirstOurs.add((turnStart - t0) / 1e6 + first.first());
                warmOurs.addAll(warm);
                wholeOurs.addAll(whole);
                direct.addAll(d);
                for (int i = 0; i < warm.size(); i++) addedOurs.add(warm.get(i) - d.get(i));
                chunksOurs.add(CHUNKS / streamSeconds);
            }
        } finally {
            ctx.kill(agent.agent().id());
        }
    }

    /**
     * A kernel with {@code warm_pool: 1}: each round waits (untimed) for the standby to be warm, then times the
     * spawn (a claim) and the first turn's first token. The first round is a warm-up of the kernel's claim path.
     */
    private void oursPooled(int rounds) throws Exception {
        try (dev.agentkernel.AgentKernel pooled = dev.agentkernel.AgentKernel.builder().plugin(new dev.agentkernel.OpenClawPlugin())
                .stateDir(ctx.stateDir().resolve("pooled")).spawnTimeout(BenchContext.SPAWN_TIMEOUT).warmPool(1).build()) {
            dev.agentkernel.spawn.local.LocalBackend local = (dev.agentkernel.spawn.local.LocalBackend) pooled.spawner();
            for (int i = 0; i <= rounds; i++) {
                ctx.progress("peer: warm pool round " + i + "/" + rounds + (i == 0 ? " (warm-up)" : ""));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (local.warmPoolReady() < 1) {
                    if (System.nanoTime() > deadline) throw new IllegalStateException("the warm pool's standby did not get ready in 120 s");
                    Thread.sleep(20);
                }
                long t0 = System.nanoTime();
                SpawnResult agent = pooled.spawner().spawn(ctx.spawnRequest("pooled")).join();
                double claim = millisSince(t0);
                try {
                    long turnStart = System.nanoTime();
                    TurnTiming first = ourTurn(pooled, agent, HELLO);
                    if (!pooled.agentClient().getInfo(agent.agent().id()).join().raw().path(dev.agentkernel.protocol.Protocol.INFO_CLAIMED).asBoolean()) {
                        throw new IllegalStateException("the pooled spawn did not claim the standby");
                    }
                    if (i > 0) {
                        claimOurs.add(claim);
                        pooledFirstOurs.add((turnStart - t0) / 1e6 + first.first());
                    }
                } finally {
                    pooled.spawner().kill(agent.agent().id()).join();
                }
            }
        }
    }

    private void oursRss() throws Exception {
        SpawnResult agent = ctx.spawn("peer-rss");
        try {
            long pid = IdleRssSection.runnerPid(agent.agent().id());
            Thread.sleep(SETTLE_MILLIS);
            idleOurs.add(IdleRssSection.rssKb(pid) / 1024.0);
            ourTurn(agent, HELLO);
            Thread.sleep(SETTLE_MILLIS);
            afterOurs.add(IdleRssSection.rssKb(pid) / 1024.0);
        } finally {
            ctx.kill(agent.agent().id());
        }
    }

    record TurnTiming(double first, double end, String text) {}

    TurnTiming ourTurn(SpawnResult agent, String message) {
        return ourTurn(ctx.kernel(), agent, message);
    }

    TurnTiming ourTurn(dev.agentkernel.AgentKernel kernel, SpawnResult agent, String message) {
        long start = System.nanoTime();
        double first = -1;
        StringBuilder text = new StringBuilder();
        try (TurnStream stream = kernel.agentClient()
                .turn(TurnRequest.userMessage(agent.agent().id(), agent.nonce(), message))) {
            for (TurnResponse chunk : stream) {
                if (chunk.error() != null) throw new IllegalStateException("the benchmark turn failed: " + chunk.error());
                if (chunk.isText() && chunk.body() != null && !chunk.body().isEmpty()) {
                    if (first < 0) first = millisSince(start);
                    text.append(chunk.body());
                }
            }
        }
        if (first < 0) throw new IllegalStateException("the agent's turn carried no text chunk");
        return new TurnTiming(first, millisSince(start), text.toString());
    }

    private void oursOneShot(Path stateDir, boolean record) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // a kernel program that wants to exit promptly takes the same exit flag as the runner (see RunnerJvmFlags)
        cmd.addAll(dev.agentkernel.plugin.RunnerJvmFlags.fastExit());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), OneShot.class.getName(), ctx.llmBaseUrl(),
                stateDir.toString(), HELLO));
        double ms = timeProcess(new ProcessBuilder(cmd), "ours");
        if (record) oneShotOurs.add(ms);
    }

    // ------------------------------------------------------------------ the peer

    private void peerCold(boolean record) throws Exception {
        PiPeer.Home home = PiPeer.writeHome(peerHomes, ctx.llmBaseUrl());
        try (PiRpcSession pi = PiRpcSession.start(peer, home)) {
            double ready = pi.awaitReady();
            long turnStart = System.nanoTime();
            PiRpcSession.Turn first = pi.prompt(HELLO);
            List<Double> warm = new ArrayList<>(), whole = new ArrayList<>();
            List<Double> d = new ArrayList<>();
            for (int i = 0; i < WARM_TURNS; i++) {
                PiRpcSession.Turn t = pi.prompt(HELLO);
                warm.add(t.firstTokenMillis());
                whole.add(t.endMillis());
                d.add(FirstTokenSection.replayFirstToken(ctx, http, ctx.lastLlmRequestBody()));
            }
            PiRpcSession.Turn stream = pi.prompt("stream please [[chunks: " + CHUNKS + "]]");
            if (!stream.text().strip().endsWith("w" + CHUNKS)) throw new IllegalStateException("the peer's stream ended early: " + tail(stream.text()));
            if (record) {
                readyPeer.add(ready);
                firstPeer.add(first.firstTokenMillis());
                spawnFirstPeer.add((turnStart - pi.startNanos()) / 1e6 + first.firstTokenMillis());
                warmPeer.addAll(warm);
                wholePeer.addAll(whole);
                directPeer.addAll(d);
                for (int i = 0; i < warm.size(); i++) addedPeer.add(warm.get(i) - d.get(i));
                chunksPeer.add(CHUNKS / (stream.endMillis() / 1000.0));
            }
        } finally {
            PiPeer.deleteTree(home.dir());
        }
    }

    private void peerRss() throws Exception {
        PiPeer.Home home = PiPeer.writeHome(peerHomes, ctx.llmBaseUrl());
        try (PiRpcSession pi = PiRpcSession.start(peer, home)) {
            pi.awaitReady();
            Thread.sleep(SETTLE_MILLIS);
            idlePeer.add(IdleRssSection.rssKb(pi.pid()) / 1024.0);
            pi.prompt(HELLO);
            Thread.sleep(SETTLE_MILLIS);
            afterPeer.add(IdleRssSection.rssKb(pi.pid()) / 1024.0);
        } finally {
            PiPeer.deleteTree(home.dir());
        }
    }

    private void peerOneShot(boolean record) throws Exception {
        PiPeer.Home home = PiPeer.writeHome(peerHomes, ctx.llmBaseUrl());
        try {
            double ms = timeProcess(PiPeer.processBuilder(peer.oneShotCommand(home, HELLO), home), "peer");
            if (record) oneShotPeer.add(ms);
        } finally {
            PiPeer.deleteTree(home.dir());
        }
    }

    /** Runs a one-shot to its exit; it must print the scripted echo of the prompt. */
    private double timeProcess(ProcessBuilder pb, String side) throws IOException, InterruptedException {
        Path out = Files.createTempFile(ctx.stateDir(), "oneshot-", ".out");
        Path err = Files.createTempFile(ctx.stateDir(), "oneshot-", ".err");
        try {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectOutput(out.toFile()).redirectError(err.toFile());
            long startEpoch = System.currentTimeMillis();
            long start = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(side + " one-shot did not exit within 120 s");
            }
            double ms = millisSince(start);
            long endEpoch = System.currentTimeMillis();
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0 || !stdout.contains("Echo: " + HELLO)) {
                throw new IllegalStateException(side + " one-shot failed (exit " + p.exitValue() + "): " + tail(stdout)
                        + " / " + tail(Files.readString(err, StandardCharsets.UTF_8)));
            }
            String phases = Files.readString(err, StandardCharsets.UTF_8).lines()
                    .filter(l -> l.startsWith("oneshot-phases:")).findFirst().orElse("");
            if (!phases.isEmpty()) ctx.progress(side + " one-shot " + Stats.ms(ms) + ": " + OneShotPhases.describe(phases, startEpoch, endEpoch));
            return ms;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static String tail(String s) {
        String t = s.strip();
        return t.length() > 200 ? "..." + t.substring(t.length() - 200) : t;
    }
}
