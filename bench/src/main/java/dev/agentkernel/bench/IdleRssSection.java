package dev.agentkernel.bench;

import dev.agentkernel.AgentInfo;
import dev.agentkernel.SpawnResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Resident memory of idle agents, as {@code ps -o rss=} reports it for the runner processes. */
public final class IdleRssSection implements BenchSection {

    /** Long enough for the runner's post-turn allocation to settle, short enough to keep the run bounded. */
    private static final long SETTLE_MILLIS = 1500;

    @Override public String name() { return "rss"; }

    @Override public String description() {
        return "idle resident memory per agent (ps -o rss=), after one turn";
    }

    @Override
    public List<BenchRow> run(BenchContext ctx) throws Exception {
        try {
            return measure(ctx);
        } finally {
            ctx.killAll();
        }
    }

    private List<BenchRow> measure(BenchContext ctx) throws Exception {
        int n = ctx.options().rssAgents();
        List<Long> pids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SpawnResult r = ctx.spawn("rss-" + i);
            // One turn loads what a working agent keeps loaded (HTTP client, SSE, JSON); a never-used agent
            // would flatter the number.
            ctx.kernel().agentClient().ask(r.agent().id(), r.nonce(), "hello");
            AgentInfo info = BenchContext.await(ctx.kernel().agentClient().getInfo(r.agent().id()));
            pids.add(info.pid());
        }
        Thread.sleep(SETTLE_MILLIS);
        List<Double> rssMb = new ArrayList<>();
        for (long pid : pids) rssMb.add(rssKb(pid) / 1024.0);
        ctx.progress("idle RSS per agent (MB): " + rssMb);
        return List.of(
                new BenchRow("idle RSS per agent, median (n=" + n + ", after one turn)",
                        String.format("%.0f MB", Stats.median(rssMb)), "≤ 150 MB"));
    }

    static long rssKb(long pid) throws IOException, InterruptedException {
        Process ps = new ProcessBuilder("ps", "-o", "rss=", "-p", Long.toString(pid)).redirectErrorStream(true).start();
        String out;
        try (var in = ps.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        if (!ps.waitFor(10, TimeUnit.SECONDS)) {
            ps.destroyForcibly();
            throw new IllegalStateException("ps did not answer within 10 s for pid " + pid);
        }
        if (ps.exitValue() != 0 || out.isEmpty()) {
            throw new IllegalStateException("ps -o rss= -p " + pid + " found no such process (did the agent exit?): " + out);
        }
        return Long.parseLong(out);
    }
}
