package dev.agentkernel.bench;

import org.junit.jupiter.api.AfterEach;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every section once, with tiny sample counts, against real runners and the scripted LLM server. */
class BenchRunTest {

    @TempDir Path stateDir;

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void allSectionsProduceNumbersAndLeaveNoRunner() {
        Bench bench = new Bench();
        new CommandLine(bench).parseArgs("--samples", "2", "--parallel", "2", "--rss-agents", "1", "--chunks", "300",
                "--state-dir", stateDir.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        int code = bench.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(progress, true, StandardCharsets.UTF_8));
        String table = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, table + progress.toString(StandardCharsets.UTF_8));
        assertFalse(table.contains("FAILED"), table);
        assertTrue(table.contains("| metric | result | target |"), table);

        assertTrue(value(table, "spawn → ready, one agent, p50 \\(n=2\\)", "([\\d.]+) ms") > 0, table);
        assertTrue(value(table, "spawn → ready, 2 at once, all ready", "([\\d.]+) ms") > 0, table);
        double idle = value(table, "idle RSS per agent, median \\(n=1, spawned, no turn yet\\)", "(\\d+) MB");
        double afterTurn = value(table, "RSS per agent, median \\(n=1, idle after one turn: LLM SDK loaded\\)", "(\\d+) MB");
        assertTrue(idle > 10 && idle < 2000, "implausible RSS " + idle);
        assertTrue(afterTurn >= idle, "a turn loads classes, it does not free them: " + idle + " then " + afterTurn);
        assertTrue(value(table, "first token, through an agent turn, p50 \\(n=2\\)", "([\\d.]+) ms") > 0, table);
        assertTrue(table.contains("kernel's added latency to first token"), table);
        assertTrue(value(table, "text chunks per second through one turn \\(300 chunks, median of 3\\)", "([\\d,]+) /s") > 0, table);

    }

    /** Runs even when the test failed: a leaked runner is reported, and killed so it cannot outlive the suite. */
    @AfterEach
    void noRunnerLeft() throws Exception {
        List<ProcessHandle> left = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(stateDir.toString())).orElse(false))
                .toList();
        for (ProcessHandle p : left) p.destroyForcibly();
        for (ProcessHandle p : left) p.onExit().get(10, TimeUnit.SECONDS);
        assertEquals(List.of(), left.stream().map(ProcessHandle::pid).toList(), "runner processes left behind");
    }

    private static double value(String table, String metric, String result) {
        Matcher m = Pattern.compile("\\| " + metric + " \\| " + result + " \\|").matcher(table);
        assertTrue(m.find(), "no row '" + metric + "' in\n" + table);
        return Double.parseDouble(m.group(1).replace(",", ""));
    }
}
