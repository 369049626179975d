package dev.agentkernel.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * @param samples  sequential samples per latency metric
 * @param parallel agents spawned at once for the concurrent spawn metric
 * @param rssAgents agents whose idle memory is measured
 * @param chunks   text deltas in the throughput turn
 * @param stateDir where agents live; null means a temporary directory removed afterwards
 * @param backend  the kernel backend the agents run on: {@value #LOCAL} or {@value #SANDBOX} (bubblewrap)
 * @param many     agents started at once and each given one turn (the {@code many} section)
 * @param rounds   interleaved rounds of the peer comparison
 */
public record BenchOptions(int samples, int parallel, int rssAgents, int chunks, Path stateDir, String backend,
                           int many, int rounds) {

    public static final String LOCAL = "local";
    public static final String SANDBOX = "sandbox";
    /** The backends the benchmark runs on, as {@code --backend} takes them. */
    public static final List<String> BACKENDS = List.of(LOCAL, SANDBOX);

    public static final BenchOptions DEFAULTS = new BenchOptions(15, 20, 5, 20_000, null, LOCAL, 50, 9);

    /** Without the many-agents and peer settings: their defaults. */
    public BenchOptions(int samples, int parallel, int rssAgents, int chunks, Path stateDir, String backend) {
        this(samples, parallel, rssAgents, chunks, stateDir, backend, 50, 9);
    }

    public BenchOptions {
        positive("samples", samples);
        positive("parallel", parallel);
        positive("rss agents", rssAgents);
        positive("chunks", chunks);
        positive("many", many);
        positive("rounds", rounds);
        backend = checkBackend(backend);
    }

    /** True for the sandbox backend: the table labels its metrics with the backend's name. */
    public boolean sandboxed() { return SANDBOX.equals(backend); }

    /** {@code value} if the benchmark can run on it; otherwise an error that names the valid ones. */
    public static String checkBackend(String value) {
        if (value == null || !BACKENDS.contains(value)) {
            throw new IllegalArgumentException("unknown backend '" + value + "'; choose from " + String.join(", ", BACKENDS));
        }
        return value;
    }

    private static void positive(String what, int value) {
        if (value < 1) throw new IllegalArgumentException(what + " must be at least 1, got " + value);
    }
}
