package dev.agentkernel.bench;

import dev.agentkernel.bench.peer.PeerRow;
import dev.agentkernel.bench.peer.PiPeer;

import java.util.ArrayList;
import java.util.List;

/** {@code bench --peer NAME}: installs the peer if needed, then runs the comparison and the many-agents rows. */
final class PeerRun {
    static final List<String> PEERS = List.of(PiPeer.NAME);

    private PeerRun() {}

    static String checkPeer(String name) {
        if (name == null || !PEERS.contains(name)) {
            throw new IllegalArgumentException("unknown peer '" + name + "'; choose from " + String.join(", ", PEERS));
        }
        return name;
    }

    static String describe(String name) {
        return PiPeer.PACKAGE + "@" + PiPeer.VERSION + " (RPC mode, "
                + String.join(" ", PiPeer.FAIR_FLAGS) + ")";
    }

    /** The table's rows, and notes for what could not be measured (printed under the table). */
    record Result(List<PeerRow> rows, List<String> failures) {}

    static Result run(BenchContext ctx, String name) throws Exception {
        checkPeer(name);
        PiPeer pi = PiPeer.install(PiPeer.cacheDir(System.getenv()), ctx::progress);
        ctx.progress("peer: " + pi.cli());
        List<PeerRow> rows = new ArrayList<>(new PeerComparison(ctx, pi).run(ctx.options().rounds()));
        List<String> failures = new ArrayList<>();
        int n = ctx.options().many();
        // A failure here must not hide the rows above.
        try {
            ctx.progress("peer: " + n + " agents at once, ours ...");
            ManyAgents ours = ManyAgents.ours(ctx, n);
            ctx.progress("peer: " + n + " agents at once, peer ...");
            ManyAgents peer = ManyAgents.peer(ctx, pi, n);
            rows.addAll(ManyAgents.rows(n, ours, peer));
        } catch (Exception e) {
            failures.add(n + " agents at once FAILED: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            ctx.killAll();
        }
        return new Result(rows, failures);
    }
}
