package dev.agentkernel.jupyter;

import java.io.PrintStream;
import java.time.Instant;

/**
 * Opt-in timestamps in the kernel log ({@code AGENTKERNEL_TRACE_CELLS=1} in the kernel's environment): where a
 * cell's time goes between the execute_request leaving the client and the reply, and when JShell became ready after
 * the JVM started. Off by default, and then it costs one boolean test per stage.
 *
 * <p>What it showed (2026-12-06, shared 2-core machine at load ~4, AOT cache in use): JVM start -> main 880 ms,
 * main -> ZMQ connected 630 ms, kernel_info reply 20 ms later; JShell start (on its thread after that reply) ->
 * ready 2.1 s, which the first {@code 1+1} waits for (1.86 s of its 2.04 s), then 160 ms to evaluate it even after
 * the warm-up. Warm cells: JShell's eval is 16-60 ms of each, publishing the result and the reply 0.5-4 ms, so the
 * time is javac running before the JIT has compiled it (a stand-alone loop of the same eval reaches ~6 ms only
 * after several hundred cells), not the Jupyter wire.
 *
 * <p>Tried and rejected (same day, same JVM flags and AOT cache, 3 alternating runs of 56 cells in one JVM): a second,
 * throw-away JShell evaluating {@code 1+1} on a background thread to get javac JIT-compiled sooner made the user's
 * warm p50 worse (35.2/30.7/31.1 ms vs 26.4/24.0/28.1 ms without it) and its first cell slower (69-78 vs 31-50 ms):
 * on two cores it takes the CPU the JIT compiler threads need. Lower compile thresholds
 * ({@code -XX:CompileThresholdScaling=0.2, 0.05}) were no better either (load too high to tell them apart).
 */
final class CellTrace {
    static final boolean ON = "1".equals(System.getenv("AGENTKERNEL_TRACE_CELLS"));
    private static volatile PrintStream log = System.err;
    private static final long JVM_START_MS = ProcessHandle.current().info().startInstant()
            .map(Instant::toEpochMilli).orElse(System.currentTimeMillis());

    private final long startNanos = System.nanoTime();
    private final StringBuilder line;

    private CellTrace(String what) {
        this.line = new StringBuilder("agentkernel-trace ").append(what);
    }

    /** Where trace lines go (the real stderr, before it is captured). */
    static void logTo(PrintStream kernelLog) {
        log = kernelLog;
    }

    /**
     * Starts a cell's trace, stamped with the wall clock in ms (the basekernel cannot parse the client's microsecond
     * header dates, so a client that wants the request's transit time compares this stamp with its own send time).
     */
    static CellTrace cell() {
        if (!ON) return null;
        CellTrace trace = new CellTrace("cell");
        Instant now = Instant.now();
        trace.line.append(" handler-at=").append(String.format("%d.%03d", now.toEpochMilli(), now.getNano() / 1000 % 1000));
        return trace;
    }

    /** Adds the time since the trace started, in ms with 0.1 ms precision. */
    static void mark(CellTrace trace, String stage) {
        if (trace == null) return;
        trace.line.append(' ').append(stage).append('=')
                .append(String.format("%.1f", (System.nanoTime() - trace.startNanos) / 1e6)).append("ms");
    }

    static void end(CellTrace trace) {
        if (trace != null) log.println(trace.line);
    }

    /** One line: ms since the JVM started, for start-up milestones. */
    static void milestone(String what) {
        if (ON) log.println("agentkernel-trace " + what + " at " + (System.currentTimeMillis() - JVM_START_MS) + "ms after JVM start");
    }
}
