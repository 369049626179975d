package dev.agentkernel.bench.peer;

import dev.agentkernel.bench.Stats;

import java.util.List;

/**
 * One metric measured on both sides in the same run: every sample of ours and of the peer's, so the table can show
 * medians, their ratio and the spread. An empty peer list means the metric has no peer counterpart.
 */
public record PeerRow(String metric, Unit unit, List<Double> ours, List<Double> peer, String target) {

    public enum Unit {
        MS, MB, PER_SECOND;

        String format(double v) {
            return switch (this) {
                case MS -> Stats.ms(v);
                case MB -> String.format("%.0f MB", v);
                case PER_SECOND -> String.format("%,.0f /s", v);
            };
        }
    }

    public PeerRow {
        ours = List.copyOf(ours);
        peer = List.copyOf(peer);
    }

    public String oursCell() { return cell(ours); }

    public String peerCell() { return cell(peer); }

    /** Median of ours over median of the peer's, e.g. {@code 0.42×}; {@code —} without both. */
    public String ratioCell() {
        if (ours.isEmpty() || peer.isEmpty()) return "—";
        double p = Stats.median(peer);
        if (p == 0) return "—";
        return String.format("%.2f×", Stats.median(ours) / p);
    }

    /** The ratio as a number, NaN without both sides. */
    public double ratio() {
        if (ours.isEmpty() || peer.isEmpty() || Stats.median(peer) == 0) return Double.NaN;
        return Stats.median(ours) / Stats.median(peer);
    }

    /** Quartiles of each side ({@code p25–p75}) and the sample counts. */
    public String spreadCell() {
        String o = spread(ours);
        String p = spread(peer);
        return p.isEmpty() ? o : o + "; " + p;
    }

    private String cell(List<Double> samples) {
        return samples.isEmpty() ? "—" : unit.format(Stats.median(samples));
    }

    private String spread(List<Double> samples) {
        if (samples.isEmpty()) return "";
        if (samples.size() == 1) return "n=1";
        return unit.format(Stats.percentile(samples, 25)) + "–" + unit.format(Stats.percentile(samples, 75)) + " (n=" + samples.size() + ")";
    }
}
