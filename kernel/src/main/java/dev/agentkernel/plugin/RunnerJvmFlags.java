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

    /** Flags that do not depend on the machine. {@code -XX:-UsePerfData} keeps runners out of /tmp/hsperfdata_*. */
    public static final List<String> LEAN = List.of(
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Xms4m",
            "-Xmx256m",
            "-Xss512k",
            "-XX:ReservedCodeCacheSize=32m",
            "-XX:CICompilerCount=1",
            "-XX:-UsePerfData");

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
     * Kernel environment variable: {@code off} starts runners without building their LLM client before they report
     * ready (the runner's default warm-up, see {@code Runner.start}): a faster ready and ~9 MB less idle RSS, for a
     * first turn that is slower by the SDK's set-up.
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
        if ("off".equals(env.get(WARM_ENV))) flags.add("-Dagentkernel.runner.warm=off");
        return flags;
    }

    /** The java launcher of this JVM, so runners use the same JDK as the kernel. */
    public static String currentJava() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
