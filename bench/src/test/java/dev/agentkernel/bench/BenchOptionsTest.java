package dev.agentkernel.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --backend}: parsed into BenchOptions, refused when unknown, and named in the table's metrics. */
class BenchOptionsTest {

    private static BenchOptions parse(String... args) {
        Bench bench = new Bench();
        new CommandLine(bench).parseArgs(args);
        return new BenchOptions(bench.samples, bench.parallel, bench.rssAgents, bench.chunks, bench.stateDir, bench.backend);
    }

    @Test
    void backendIsLocalByDefault() {
        BenchOptions options = parse();
        assertEquals("local", options.backend());
        assertFalse(options.sandboxed());
        assertEquals("local", BenchOptions.DEFAULTS.backend());
    }

    @Test
    void sandboxBackendReachesTheOptions() {
        BenchOptions options = parse("--backend", "sandbox", "--samples", "5");
        assertEquals("sandbox", options.backend());
        assertTrue(options.sandboxed());
        assertEquals(5, options.samples());
    }

    @Test
    void unknownBackendIsRefusedWhileParsingWithTheValidNames() {
        Bench bench = new Bench();
        CommandLine cmd = new CommandLine(bench);
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute("--backend", "bogus", "--list");
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("Invalid value for option '--backend': unknown backend 'bogus'; choose from local, sandbox"),
                err.toString());

        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                () -> new CommandLine(new Bench()).parseArgs("--backend", "bogus"));
        assertTrue(e.getMessage().contains("unknown backend 'bogus'; choose from local, sandbox"), e.getMessage());
    }

    @Test
    void optionsRefuseAnUnknownBackendToo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BenchOptions(1, 1, 1, 1, null, "bwrap"));
        assertEquals("unknown backend 'bwrap'; choose from local, sandbox", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BenchOptions(1, 1, 1, 1, null, null));
    }

    @Test
    void metricsNameTheBackendUnlessLocal() {
        List<BenchRow> rows = List.of(new BenchRow("spawn → ready, one agent, p50 (n=5)", "200 ms", "≤ 300 ms"));
        BenchOptions local = new BenchOptions(5, 1, 1, 1, null, "local");
        BenchOptions sandbox = new BenchOptions(5, 1, 1, 1, null, "sandbox");
        assertEquals(rows, Bench.labelled(rows, local));
        assertEquals(List.of(new BenchRow("spawn → ready, one agent, p50 (n=5) (sandbox)", "200 ms", "≤ 300 ms")),
                Bench.labelled(rows, sandbox));
    }
}
