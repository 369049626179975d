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
        return "resident memory per agent (ps -o rss=): idle after spawn, and after one turn";
    }

    @Override
    public List<BenchRow> run(BenchContext ctx) throws Exception {
        return measure(ctx);
    }

    private List<BenchRow> measure(BenchContext ctx) throws Exception {
        int n = ctx.options().rssAgents();
        List<Long> pids = new ArrayList<>();
        List<SpawnResult> agents = new ArrayList<>();
        for (int i = 0; i < n; i++) agents.add(ctx.spawn("rss-" + i));
        Thread.sleep(SETTLE_MILLIS);
        List<Double> idleMb = new ArrayList<>();
        // The pid from the process table, not from /info: answering /info would load JSON classes into the
        // agent and measure more than an idle agent holds.
        for (SpawnResult r : agents) idleMb.add(rssKb(runnerPid(r.agent().id())) / 1024.0);
        ctx.progress("idle RSS per agent before any turn (MB): " + idleMb);
        for (SpawnResult r : agents) {
            // One turn loads what a working agent keeps loaded (the LLM SDK, its HTTP client, JSON).
            ctx.kernel().agentClient().ask(r.agent().id(), r.nonce(), "hello");
            AgentInfo info = BenchContext.await(ctx.kernel().agentClient().getInfo(r.agent().id()));
            pids.add(info.pid());
        }
        Thread.sleep(SETTLE_MILLIS);
        List<Double> rssMb = new ArrayList<>();
        for (long pid : pids) rssMb.add(rssKb(pid) / 1024.0);
        ctx.progress("idle RSS per agent (MB): " + rssMb);
        return List.of(
                new BenchRow("idle RSS per agent, median (n=" + n + ", spawned, no turn yet)",
                        String.format("%.0f MB", Stats.median(idleMb)), "≤ 60 MB"),
                new BenchRow("RSS per agent, median (n=" + n + ", idle after one turn: LLM SDK loaded)",
                        String.format("%.0f MB", Stats.median(rssMb)), "—"));
    }

    /** The runner started by this JVM whose command line names the agent's config file. */
    static long runnerPid(String agentId) {
        return ProcessHandle.current().descendants()
                .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(agentId)).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst()
                .orElseThrow(() -> new IllegalStateException("no runner process found for agent " + agentId));
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
