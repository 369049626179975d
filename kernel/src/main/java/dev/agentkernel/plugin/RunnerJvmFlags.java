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
 * so we trade peak throughput for start-up time and footprint: serial GC, C1 only, small heap and
 * stacks, and an AppCDS archive that the first runner creates and later runners map.
 */
public final class RunnerJvmFlags {

    /** Flags that do not depend on the machine. {@code -XX:-UsePerfData} keeps runners out of /tmp/hsperfdata_*. */
    public static final List<String> LEAN = List.of(
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Xss512k",
            "-XX:MaxRAM=256m",
            "-Xmx64m",
            "-XX:-UsePerfData");

    private RunnerJvmFlags() {}

    /**
     * LEAN plus the AppCDS flags. The archive name hashes the jar's path and mtime and the Java
     * version, so a rebuilt runner or another JDK gets a fresh archive instead of a rejected one.
     * {@code cdsDir} null: no archive.
     */
    public static List<String> forRunner(Path runnerJar, Path cdsDir) {
        List<String> flags = new ArrayList<>(LEAN);
        if (cdsDir != null) {
            try {
                Files.createDirectories(cdsDir);
                flags.add("-XX:SharedArchiveFile=" + cdsDir.resolve("runner-" + archiveKey(runnerJar) + ".jsa"));
                flags.add("-XX:+AutoCreateSharedArchive");
            } catch (Exception e) {
                // No archive only costs start-up time; the runner works without it.
            }
        }
        return flags;
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
