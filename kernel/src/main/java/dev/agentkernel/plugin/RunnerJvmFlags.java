package dev.agentkernel.plugin;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The JVM flags every runner starts with, kept in one place. A runner is a small I/O-bound process,
 * so we trade peak throughput for start-up time and footprint: serial GC, C1 only, small initial heap,
 * small stacks and code cache, and an AppCDS archive.
 *
 * <p>The archive is made once per runner jar and JDK by a training run ({@code RunnerMain --cds-training}
 * under {@code -XX:ArchiveClassesAtExit}), which runs real turns of both providers against the scripted LLM
 * server, so the archive holds what a working agent loads (the SDKs too): the first turn then maps classes
 * instead of loading them from jars. Measured trade-off (runner/README.md): idle RSS ~60 → ~78 MB (HotSpot keeps
 * the whole 31 MB archive resident; the pages are file-backed and shared by all runners), RSS after a turn lower.
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

    private static final Object TRAINING_LOCK = new Object();

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

    private RunnerJvmFlags() {}

    /**
     * LEAN plus the AppCDS flags. The archive name hashes the jar's path and mtime and the Java
     * version, so a rebuilt runner or another JDK gets a fresh archive instead of a rejected one.
     * {@code cdsDir} null: no archive.
     */
    public static List<String> forRunner(Path runnerJar, Path cdsDir) {
        List<String> flags = base();
        if (cdsDir != null) {
            try {
                Files.createDirectories(cdsDir);
                Path archive = cdsDir.resolve("runner-" + archiveKey(runnerJar) + ".jsa");
                if (Files.isRegularFile(archive) || train(runnerJar, archive)) {
                    flags.add("-Xshare:auto");
                    flags.add("-XX:SharedArchiveFile=" + archive);
                }
            } catch (Exception e) {
                // No archive only costs start-up time; the runner works without it.
            }
        }
        return flags;
    }

    /**
     * Makes the archive with a throw-away runner; false when that fails (the runner then starts without one).
     * Serialised in this JVM and made atomic on disk (written to a temporary name, then renamed), so twenty
     * concurrent first spawns train once and never map a half-written archive.
     */
    static boolean train(Path runnerJar, Path archive) {
        synchronized (TRAINING_LOCK) {
            if (Files.isRegularFile(archive)) return true;
            Path tmp = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            try {
                List<String> cmd = new ArrayList<>();
                cmd.add(currentJava());
                cmd.addAll(base());
                cmd.add("-XX:ArchiveClassesAtExit=" + tmp);
                cmd.addAll(List.of("-cp", runnerJar.toString(), "dev.agentkernel.runner.RunnerMain", "--cds-training"));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return false;
                }
                if (p.exitValue() != 0 || !Files.isRegularFile(tmp)) return false;
                Files.move(tmp, archive, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return true;
            } catch (Exception e) {
                return false;
            } finally {
                try {
                    Files.deleteIfExists(tmp);
                } catch (java.io.IOException ignored) {
                    // a stray .tmp archive is never mapped (wrong name) and is overwritten next time
                }
            }
        }
    }

    static String archiveKey(Path runnerJar) throws Exception {
        String key = runnerJar.toAbsolutePath() + "|" + Files.getLastModifiedTime(runnerJar).toMillis()
                + "|" + Runtime.version();
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest, 0, 8);
    }

    /** The java launcher of this JVM, so runners use the same JDK as the kernel. */
    public static String currentJava() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
