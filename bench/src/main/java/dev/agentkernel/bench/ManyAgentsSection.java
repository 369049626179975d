package dev.agentkernel.bench;

import java.util.List;

import static dev.agentkernel.bench.Stats.ms;
import static dev.agentkernel.bench.Stats.percentile;

/** {@code --many N} agents at once, each given one turn when ready (see {@link ManyAgents}). */
public final class ManyAgentsSection implements BenchSection {

    @Override public String name() { return "many"; }

    @Override public String description() {
        return "N agents spawned at once, each given one turn: spawn and turn p50/p99, all answered, total RSS";
    }

    @Override
    public List<BenchRow> run(BenchContext ctx) throws Exception {
        int n = ctx.options().many();
        ManyAgents m = ManyAgents.ours(ctx, n);
        String at = n + " agents at once, one turn each: ";
        ctx.progress(at + "all answered after " + ms(m.allMillis()));
        return List.of(
                new BenchRow(at + "spawn → ready p50 / p99", ms(percentile(m.spawn(), 50)) + " / " + ms(percentile(m.spawn(), 99)), "—"),
                new BenchRow(at + "first turn p50 / p99", ms(percentile(m.turn(), 50)) + " / " + ms(percentile(m.turn(), 99)), "—"),
                new BenchRow(at + "all answered", ms(m.allMillis()), "≤ 10 s"),
                new BenchRow(at + "total RSS of the runners", String.format("%.0f MB", m.totalRssMb()), "—"));
    }
}
