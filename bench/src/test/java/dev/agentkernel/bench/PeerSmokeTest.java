package dev.agentkernel.bench;

import dev.agentkernel.bench.peer.PiPeer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench --peer pi} once with the smallest counts, only where the peer is already installed (the test never
 * downloads it: run {@code bin/agentkernel bench --peer pi} once to install it). Checks the plumbing, not the numbers.
 */
class PeerSmokeTest {

    @TempDir Path stateDir;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void peerTablePrintsEveryRowWithBothSides() {
        Assumptions.assumeTrue(PiPeer.installed(PiPeer.cacheDir(System.getenv())).isPresent(),
                "skipped: " + PiPeer.PACKAGE + "@" + PiPeer.VERSION + " is not installed under "
                        + PiPeer.cacheDir(System.getenv()) + " (bin/agentkernel bench --peer pi installs it)");
        Bench bench = new Bench();
        new CommandLine(bench).parseArgs("--only", "first-token", "--samples", "1", "--peer", "pi", "--rounds", "1",
                "--many", "2", "--state-dir", stateDir.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        int code = bench.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(progress, true, StandardCharsets.UTF_8));
        String table = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, table + progress.toString(StandardCharsets.UTF_8));
        assertTrue(table.contains("| metric | ours | pi | ours/pi |"), table);
        for (String metric : List.of("start → ready", "spawn → first token of the first turn", "first token, warm agent",
                "first token, LLM server direct (each side's own turn request replayed)", "cold one-shot", "idle RSS", "RSS after one turn",
                "text chunks per second", "2 agents at once, one turn each: all answered",
                "warm pool (warm_pool: 1), ours only: spawn → ready", "warm pool: spawn → first token of the first turn")) {
            String row = table.lines().filter(l -> l.startsWith("| " + metric)).findFirst().orElse("");
            assertFalse(row.isEmpty(), "no row " + metric + " in\n" + table);
            assertTrue(row.matches(".*\\| [\\d.,]+ (ms|MB|/s) \\| [\\d.,]+ (ms|MB|/s) \\| [\\d.]+× \\|.*"), "both sides and a ratio: " + row);
        }
        List<ProcessHandle> left = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(stateDir.toString())).orElse(false)).toList();
        left.forEach(ProcessHandle::destroyForcibly);
        assertEquals(List.of(), left.stream().map(ProcessHandle::pid).toList(), "processes left behind");
    }
}
