package dev.agentkernel.plugin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JVM flags every runner starts with, kept in one place. A runner is a small I/O-bound process,
 * so we trade peak throughput for start-up time and footprint: serial GC, C1 only, small initial heap,
 * small stacks and code cache, and a class cache ({@link RunnerClassCache}: a JDK 25 AOT cache, else an AppCDS
 * archive), trained by real turns of both providers against the scripted LLM server, so the cache holds what a
 * working agent loads (the SDKs too): the first turn then maps classes instead of loading them from jars.
 * Measured trade-off (runner/README.md): idle RSS ~60 → ~78 MB with the AppCDS archive (HotSpot keeps the whole
 * 31 MB archive resident; the pages are file-backed and shared by all runners), RSS after a turn lower.
 * An archive auto-created by the first real agent would instead hold whatever that agent happened to load.
 */
public final class RunnerJvmFlags {

    /**
     * Flags that do not depend on the machine. {@code -XX:-UsePerfData} keeps runners out of /tmp/hsperfdata_*.
     * <p>
     * {@code -XX:ArchiveRelocationMode=0} (a diagnostic flag, hence the unlock before it): since JDK 20 HotSpot maps
     * the class cache at a random address and then rewrites every pointer in it, which dirties all its pages, so
     * each runner held a private copy of the whole cache instead of sharing the file's pages with the others. Mode 0
     * maps it at the address it was written for (and relocates only when that range is taken). Measured 2026-12-06
     * on the 2-core box, JDK 25.0.3, AOT cache of 50 MB, 4 idle runners side by side ({@code /proc/PID/smaps_rollup}):
     * Private_Dirty 68 → 48 MB per runner, PSS 72 → 57 MB per runner (it falls further the more runners share the
     * file); after one turn Private_Dirty 80 → 58 MB. {@code ps} RSS is unchanged (~97 MB idle): it counts the
     * cache's resident file pages in full whether they are shared or not. Warm-turn latency is unaffected (same code).
     */
    public static final List<String> LEAN = List.of(
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Xms4m",
            "-Xmx256m",
            "-Xss512k",
            "-XX:ReservedCodeCacheSize=32m",
            "-XX:CICompilerCount=1",
            "-XX:-UsePerfData",
            "-XX:+UnlockDiagnosticVMOptions",
            "-XX:ArchiveRelocationMode=0");

    /**
     * {@code -XX:UserThreadWaitAttemptsAtExit=0} on JDK 25+ (the flag is new there; older JVMs refuse to start with it).
     * At exit HotSpot waits up to 300 ms (30 × 10 ms) while any thread is blocked in native code, and a runner always
     * has some: the virtual-thread poller in {@code epoll_wait}, the owner-pipe reader in {@code read}. Measured on the
     * 2-core box: a JVM with one such thread exits 340–410 ms after {@code System.exit}, 60–190 ms with the flag (the
     * rest is load); the runner's own close takes ~15 ms. Any JVM of ours that should exit promptly (the runner, a
     * kernel program) can take these flags.
     */
    public static List<String> fastExit() {
        return fastExit(Runtime.version().feature());
    }

    static List<String> fastExit(int javaFeatureVersion) {
        return javaFeatureVersion >= 25 ? List.of("-XX:UserThreadWaitAttemptsAtExit=0") : List.of();
    }

    /** {@link #LEAN} plus {@link #fastExit()}: what every runner JVM, and its CDS training run, starts with. */
    static List<String> base() {
        List<String> flags = new ArrayList<>(LEAN);
        flags.addAll(fastExit());
        return flags;
    }

    /**
     * Kernel environment variable, what runners do before they report ready (see {@code Runner.start}): {@code turn}
     * (the default) builds the LLM client and rehearses one scripted turn in the runner; {@code build} only builds the
     * client; {@code off} neither: a faster ready and less idle RSS, for a slower first turn.
     */
    public static final String WARM_ENV = "AGENTKERNEL_RUNNER_WARM";

    private RunnerJvmFlags() {}

    /** {@link #forRunner(Path, Path, Map)} with this process's environment. */
    public static List<String> forRunner(Path runnerJar, Path cdsDir) {
        return forRunner(runnerJar, cdsDir, System.getenv());
    }

    /**
     * {@link #base()} plus the class cache flags {@link RunnerClassCache} chooses ({@code AGENTKERNEL_CLASS_CACHE}
     * in {@code env}; the cache is trained on first use). {@code cdsDir} null: no cache.
     */
    public static List<String> forRunner(Path runnerJar, Path cdsDir, Map<String, String> env) {
        List<String> flags = base();
        flags.addAll(RunnerClassCache.select(runnerJar, cdsDir, env, base()).flags());
        String warm = env.get(WARM_ENV);
        if (warm != null && !warm.isBlank()) {
            if (!dev.agentkernel.protocol.Protocol.WARM_UP_MODES.contains(warm)) {
                throw new dev.agentkernel.SpawnFailedException(WARM_ENV + "=" + warm + " is not a warm-up mode; use turn (the default),"
                        + " build or off, or unset it", List.of());
            }
            flags.add("-D" + dev.agentkernel.protocol.Protocol.WARM_UP_PROPERTY + "=" + warm);
        }
        return flags;
    }

    /** The java launcher of this JVM, so runners use the same JDK as the kernel. */
    public static String currentJava() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
