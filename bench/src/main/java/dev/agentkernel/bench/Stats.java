package dev.agentkernel.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Percentiles by the nearest-rank method: the reported value is always one that was measured. */
public final class Stats {
    private Stats() {}

    public static double percentile(List<Double> samples, double p) {
        if (samples.isEmpty()) throw new IllegalArgumentException("no samples to take a percentile of");
        if (p <= 0 || p > 100) throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(rank, 1) - 1);
    }

    public static double median(List<Double> samples) {
        return percentile(samples, 50);
    }

    /** Milliseconds since {@code startNanos}. */
    public static double millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    public static String ms(double millis) {
        return millis >= 100 ? String.format("%.0f ms", millis) : String.format("%.1f ms", millis);
    }
}
