package dev.agentkernel.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The benchmark: runs the sections against real runner processes and the scripted LLM server and prints
 * one Markdown table (metric | result | target) on stdout; progress goes to stderr.
 *
 * <pre>bin/agentkernel bench [--only spawn] [--samples 15] [--parallel 20] [--backend sandbox]</pre>
 *
 * With a backend other than {@code local}, every metric name ends in the backend's name in parentheses, so the
 * tables of two runs can be pasted into one.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure spawn latency, idle memory, added first-token latency and streaming throughput.")
public final class Bench implements Callable<Integer> {

    /** Every section, in table order. Add new ones here. */
    public static List<BenchSection> sections() {
        return List.of(new SpawnLatencySection(), new IdleRssSection(), new FirstTokenSection(), new ThroughputSection(),
                new ManyAgentsSection());
    }

    @Option(names = "--only", paramLabel = "SECTION", split = ",",
            description = "Run only these sections (repeatable or comma-separated); see --list.")
    List<String> only = new ArrayList<>();

    @Option(names = "--list", description = "List the sections and exit.")
    boolean list;

    @Option(names = "--samples", paramLabel = "N", description = "Sequential samples per latency metric (default ${DEFAULT-VALUE}).")
    int samples = BenchOptions.DEFAULTS.samples();

    @Option(names = "--parallel", paramLabel = "N", description = "Agents spawned at once (default ${DEFAULT-VALUE}).")
    int parallel = BenchOptions.DEFAULTS.parallel();

    @Option(names = "--rss-agents", paramLabel = "N", description = "Agents whose idle memory is measured (default ${DEFAULT-VALUE}).")
    int rssAgents = BenchOptions.DEFAULTS.rssAgents();

    @Option(names = "--chunks", paramLabel = "N", description = "Text deltas in the throughput turn (default ${DEFAULT-VALUE}).")
    int chunks = BenchOptions.DEFAULTS.chunks();

    @Option(names = "--backend", paramLabel = "BACKEND", converter = BackendConverter.class,
            description = "Backend the agents run on: local, or sandbox (bubblewrap, isolated network: relayed port,"
                    + " proxied LLM) (default ${DEFAULT-VALUE}).")
    String backend = BenchOptions.DEFAULTS.backend();

    @Option(names = "--many", paramLabel = "N", description = "Agents started at once and each given one turn (default ${DEFAULT-VALUE}).")
    int many = BenchOptions.DEFAULTS.many();

    @Option(names = "--peer", paramLabel = "PEER", converter = PeerConverter.class,
            description = "Also run the same measurements on a peer runtime, interleaved with ours, and print a second table"
                    + " (ours, peer, ratio, spread). Only: pi (@mariozechner/pi-coding-agent, installed with npm on first use).")
    String peer;

    @Option(names = "--rounds", paramLabel = "N", description = "Interleaved rounds of the peer comparison (default ${DEFAULT-VALUE}).")
    int rounds = BenchOptions.DEFAULTS.rounds();

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where the benchmark's agents live (default: a temporary directory, removed afterwards).")
    Path stateDir;

    public static void main(String[] args) {
        CommandLine cmd = new CommandLine(new Bench());
        // Bad input deserves its message, not a stack trace.
        cmd.setExecutionExceptionHandler((e, c, parsed) -> {
            c.getErr().println("bench: " + e.getMessage());
            return 1;
        });
        System.exit(cmd.execute(args));
    }

    @Override
    public Integer call() {
        return run(System.out, System.err);
    }

    /** Runs the selected sections, prints the table on {@code out}; 0 when every section succeeded. */
    public int run(PrintStream out, PrintStream progress) {
        if (list) {
            for (BenchSection s : sections()) out.println(s.name() + "\t" + s.description());
            return 0;
        }
        List<BenchSection> selected = select(only);
        if (peer != null && (only == null || only.isEmpty())) {
            // the peer table has its own many-agents rows, ours among them: do not run ours twice
            selected = selected.stream().filter(s -> !(s instanceof ManyAgentsSection)).toList();
        }
        BenchOptions options = new BenchOptions(samples, parallel, rssAgents, chunks, stateDir, backend, many, rounds);
        List<BenchRow> rows = new ArrayList<>();
        List<dev.agentkernel.bench.peer.PeerRow> peerRows = new ArrayList<>();
        String peerFailure = null;
        List<String> peerNotes = new ArrayList<>();
        boolean failed = false;
        try (BenchContext ctx = new BenchContext(options, progress)) {
            for (BenchSection section : selected) {
                ctx.progress("running " + section.name() + " ...");
                try {
                    rows.addAll(labelled(section.run(ctx), options));
                } catch (Exception e) {
                    // One broken section should not hide the others' figures.
                    failed = true;
                    rows.addAll(labelled(List.of(new BenchRow(section.name(),
                            "FAILED: " + e.getClass().getSimpleName() + ": " + e.getMessage(), "—")), options));
                } finally {
                    // each section starts from no agents, whatever the last one left behind
                    ctx.killAll();
                }
            }
            if (peer != null) {
                try {
                    PeerRun.Result result = PeerRun.run(ctx, peer);
                    peerRows.addAll(result.rows());
                    peerNotes.addAll(result.failures());
                    if (!result.failures().isEmpty()) failed = true;
                } catch (dev.agentkernel.bench.peer.PeerUnavailableException e) {
                    failed = true;
                    peerFailure = "peer " + peer + " unavailable: " + e.getMessage();
                } catch (Exception e) {
                    failed = true;
                    peerFailure = "peer comparison FAILED: " + e.getClass().getSimpleName() + ": " + e.getMessage();
                } finally {
                    ctx.killAll();
                }
            }
        }
        out.println(header(options));
        out.println();
        out.print(MarkdownTable.render(rows));
        if (peer != null) {
            out.println();
            out.println("Side by side with " + PeerRun.describe(peer) + ", interleaved (AB/BA), medians:");
            out.println();
            if (peerFailure != null) out.println(peerFailure);
            else out.print(dev.agentkernel.bench.peer.PeerTable.render(peer, peerRows));
            for (String note : peerNotes) out.println("\n" + note);
        }
        out.flush();
        return failed ? 1 : 0;
    }

    /** The named sections in table order; an unknown name is an error that lists the valid ones. */
    static List<BenchSection> select(List<String> names) {
        Map<String, BenchSection> byName = new LinkedHashMap<>();
        for (BenchSection s : sections()) byName.put(s.name(), s);
        if (names == null || names.isEmpty()) return List.copyOf(byName.values());
        for (String name : names) {
            if (!byName.containsKey(name)) {
                throw new IllegalArgumentException("unknown benchmark section '" + name + "'; choose from "
                        + String.join(", ", byName.keySet()));
            }
        }
        return byName.values().stream().filter(s -> names.contains(s.name())).toList();
    }

    /** The rows with the backend's name after each metric, unless it is the local backend. */
    static List<BenchRow> labelled(List<BenchRow> rows, BenchOptions options) {
        if (BenchOptions.LOCAL.equals(options.backend())) return rows;
        return rows.stream()
                .map(r -> new BenchRow(r.metric() + " (" + options.backend() + ")", r.result(), r.target()))
                .toList();
    }

    /** Refuses an unknown {@code --peer} while parsing, with the valid names. */
    public static final class PeerConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return PeerRun.checkPeer(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Refuses an unknown {@code --backend} while parsing, with the valid names. */
    public static final class BackendConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return BenchOptions.checkBackend(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    private static String header(BenchOptions options) {
        return "AgentKernel benchmark, " + LocalDate.now() + ": Java " + Runtime.version()
                + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch")
                + ", " + (options.sandboxed()
                        ? "sandbox backend (bubblewrap, isolated network: relayed port, proxied LLM)"
                        : "local backend")
                + ", scripted LLM server on loopback";
    }
}
