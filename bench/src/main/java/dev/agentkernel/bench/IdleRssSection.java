package dev.agentkernel.bench;

import dev.agentkernel.SpawnResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Resident memory of idle agents, as {@code ps -o rss=} reports it for the runner processes.
 *
 * <p>On the {@code sandbox} backend the pid the kernel records is bwrap's, and the runner's own {@code /info}
 * answers with its pid inside the sandbox's pid namespace (meaningless outside). Both figures are therefore taken
 * from the process table: the runner JVM is the {@code java} descendant of this JVM whose command line names the
 * agent (under the sandbox, bwrap and bwrap's pid-1 copy name it too). The sandbox's own processes are reported in
 * a row of their own, so the runner rows compare like with like across backends.
 */
public final class IdleRssSection implements BenchSection {

    /** Long enough for the runner's post-turn allocation to settle, short enough to keep the run bounded. */
    private static final long SETTLE_MILLIS = 1500;

    @Override public String name() { return "rss"; }

    @Override public String description() {
        return "resident memory per agent (ps -o rss=): idle after spawn, and after one turn (sandbox: runner JVM, and bwrap apart)";
    }

    @Override
    public List<BenchRow> run(BenchContext ctx) throws Exception {
        return measure(ctx);
    }

    private List<BenchRow> measure(BenchContext ctx) throws Exception {
        int n = ctx.options().rssAgents();
        List<SpawnResult> agents = new ArrayList<>();
        for (int i = 0; i < n; i++) agents.add(ctx.spawn("rss-" + i));
        Thread.sleep(SETTLE_MILLIS);
        // The pid from the process table, not from /info: answering /info would load JSON classes into the
        // agent and measure more than an idle agent holds (and under the sandbox /info's pid is a namespace pid).
        List<Long> pids = new ArrayList<>();
        for (SpawnResult r : agents) pids.add(runnerPid(r.agent().id()));
        List<Double> idleMb = new ArrayList<>();
        for (long pid : pids) idleMb.add(rssKb(pid) / 1024.0);
        ctx.progress("idle RSS per agent before any turn (MB): " + idleMb + ", runner pids " + pids);
        for (SpawnResult r : agents) {
            // One turn loads what a working agent keeps loaded (the LLM SDK, its HTTP client, JSON).
            ctx.kernel().agentClient().ask(r.agent().id(), r.nonce(), "hello");
        }
        Thread.sleep(SETTLE_MILLIS);
        List<Double> rssMb = new ArrayList<>();
        for (long pid : pids) rssMb.add(rssKb(pid) / 1024.0);
        ctx.progress("idle RSS per agent (MB): " + rssMb);
        String runner = ctx.sandboxed() ? ", runner JVM only" : "";
        List<BenchRow> rows = new ArrayList<>(List.of(
                new BenchRow("idle RSS per agent, median (n=" + n + ", spawned, no turn yet" + runner + ")",
                        String.format("%.0f MB", Stats.median(idleMb)), "≤ 60 MB"),
                new BenchRow("RSS per agent, median (n=" + n + ", idle after one turn: LLM SDK loaded" + runner + ")",
                        String.format("%.0f MB", Stats.median(rssMb)), "—")));
        if (ctx.sandboxed()) {
            List<Double> wrapperMb = new ArrayList<>();
            for (SpawnResult r : agents) {
                long kb = 0;
                for (ProcessHandle p : agentProcesses(r.agent().id())) {
                    if (!isJava(p)) kb += rssKb(p.pid());
                }
                wrapperMb.add(kb / 1024.0);
            }
            ctx.progress("RSS of the sandbox's own processes (bwrap) per agent (MB): " + wrapperMb);
            rows.add(new BenchRow("RSS of the sandbox's own processes per agent (bwrap), median (n=" + n + ")",
                    String.format("%.1f MB", Stats.median(wrapperMb)), "—"));
        }
        return rows;
    }

    /**
     * Every process started by this JVM whose command line names the agent: the runner on the local backend;
     * bwrap, bwrap's pid-1 copy inside the sandbox and the runner on the sandbox backend.
     */
    static List<ProcessHandle> agentProcesses(String agentId) {
        return ProcessHandle.current().descendants()
                .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(agentId)).orElse(false))
                .toList();
    }

    /**
     * The agent's runner JVM: the {@code java} process among {@link #agentProcesses}; if no executable can be read,
     * the one of them none of whose children is another of them (bwrap's processes are the runner's ancestors).
     */
    static long runnerPid(String agentId) {
        List<ProcessHandle> processes = agentProcesses(agentId);
        return processes.stream().filter(IdleRssSection::isJava).findFirst()
                .or(() -> processes.stream().filter(p -> p.children().noneMatch(processes::contains)).findFirst())
                .orElseThrow(() -> new IllegalStateException("no runner process found for agent " + agentId))
                .pid();
    }

    static boolean isJava(ProcessHandle p) {
        return p.info().command().map(c -> {
            Path name = Path.of(c).getFileName();
            return name != null && name.toString().equals("java");
        }).orElse(false);
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
