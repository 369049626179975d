package dev.agentkernel.bench;

import java.nio.file.Path;

/**
 * @param samples  sequential samples per latency metric
 * @param parallel agents spawned at once for the concurrent spawn metric
 * @param rssAgents agents whose idle memory is measured
 * @param chunks   text deltas in the throughput turn
 * @param stateDir where agents live; null means a temporary directory removed afterwards
 */
public record BenchOptions(int samples, int parallel, int rssAgents, int chunks, Path stateDir) {

    public static final BenchOptions DEFAULTS = new BenchOptions(15, 20, 5, 20_000, null);

    public BenchOptions {
        positive("samples", samples);
        positive("parallel", parallel);
        positive("rss agents", rssAgents);
        positive("chunks", chunks);
    }

    private static void positive(String what, int value) {
        if (value < 1) throw new IllegalArgumentException(what + " must be at least 1, got " + value);
    }
}
