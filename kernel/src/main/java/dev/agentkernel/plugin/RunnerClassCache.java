package dev.agentkernel.plugin;

import dev.agentkernel.SpawnFailedException;
import dev.agentkernel.protocol.Protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.logging.Logger;

/**
 * The runner's class cache, the one owner of it: which kind a runner starts with, where the cache file lives, how it
 * is trained, keyed and verified. Kinds ({@value #ENV} = {@code aot|cds|none}; unset means the best available):
 * <ul>
 *   <li>{@code aot}: a JDK 25 AOT cache (JEP 483/514/515, {@code -XX:AOTCacheOutput} to train, {@code -XX:AOTCache}
 *   to use). It holds the classes already loaded <em>and linked</em> plus the heap objects of their static
 *   initialisers, so a runner's first turn neither loads, verifies nor links the SDK classes. Only on JDK 25+.</li>
 *   <li>{@code cds}: a dynamic AppCDS archive ({@code -XX:ArchiveClassesAtExit}); loaded classes, not linked. The
 *   fallback on JDK 21–24, and when the AOT training fails.</li>
 *   <li>{@code none}: the JDK's default CDS archive only.</li>
 * </ul>
 * Both caches are trained by the same run ({@code RunnerMain --cds-training}: real turns through the Anthropic and
 * OpenAI SDK paths against the scripted LLM server, see {@code CdsTraining}), once per key, in {@code <stateDir>/cds}.
 *
 * <p>The key hashes java.home and the full Java version, the runner jar's path, size and mtime and those of each jar
 * on its {@code Class-Path}, the runner's JVM flags and the kind; another JDK, a rebuilt runner or changed flags get
 * a fresh cache rather than a rejected one. Next to each cache a {@code .ok} file records its size and mtime when
 * training finished; a cache whose file no longer matches (truncated, overwritten, half-copied) is deleted and
 * retrained before the spawn. Whatever slips past that (a bit flip inside the file) is caught by the JVM itself: a
 * cache it cannot map is ignored ({@code -XX:AOTMode=auto}, {@code -Xshare:auto}) and the runner starts without it,
 * slower but working, and reports {@code class_cache: none} in {@code /info} ({@link Protocol#INFO_CLASS_CACHE}).
 * A class cache never breaks a spawn.
 *
 * <p>Measured on the 2-core box (README, "Runner class cache" table, ratios to the Node peer in the same run, load
 * 10–14): first turn's first token with the runner's warm-up 3.70× the peer with the AOT cache, 4.67× with the CDS
 * archive; CPU time of a runner's start plus three turns 2.1 s (AOT), 2.2 s (CDS), 2.8 s (none), so on this C1-only
 * runner the AOT cache gains little over the trained archive. AOT cache file ~50 MB, CDS archive ~31 MB; the AOT
 * training takes ~7 s idle (two JVMs: record, then create), the CDS one ~5 s, both once per key.
 */
public final class RunnerClassCache {
    private static final Logger LOG = Logger.getLogger(RunnerClassCache.class.getName());

    /** Environment variable choosing the kind: {@code aot}, {@code cds} or {@code none}; unset or {@code auto}: the best available. */
    public static final String ENV = "AGENTKERNEL_CLASS_CACHE";

    /** The first JDK feature release with {@code -XX:AOTCacheOutput} (JEP 514; JEP 483's two-step form came in 24). */
    static final int AOT_MIN_FEATURE = 25;

    /** Training runs real turns through two SDKs; 180 s leaves room on a loaded 2-core machine (normally ~7 s). */
    static final long TRAINING_TIMEOUT_SECONDS = 180;

    /** The kinds, by their names in {@value #ENV} and in {@code /info}. */
    public enum Kind {
        AOT("aot", ".aot"), CDS("cds", ".jsa"), NONE("none", "");

        private final String id;
        private final String suffix;

        Kind(String id, String suffix) {
            this.id = id;
            this.suffix = suffix;
        }

        /** The name in {@value #ENV}, {@code -Dagentkernel.class.cache} and {@code /info}. */
        public String id() { return id; }
    }

    /** What a runner starts with: the kind actually set up, its cache file (null for NONE) and the JVM flags. */
    public record Selection(Kind kind, Path file, List<String> flags) {
        public Selection {
            flags = List.copyOf(flags);
        }
    }

    private static final Object TRAINING_LOCK = new Object();
    /** jar path → (size, mtime, key part) so a spawn reads the runner jar's manifest once per rebuild, not each time. */
    private static final Map<Path, String[]> JAR_STAMPS = new ConcurrentHashMap<>();

    private RunnerClassCache() {}

    /**
     * The kind to use: the request in {@value #ENV} (null, empty or {@code auto}: the best available), lowered to
     * CDS when the runner's JDK ({@code javaFeature}) is older than {@value #AOT_MIN_FEATURE}.
     *
     * @throws SpawnFailedException for a value that is none of the kinds
     */
    public static Kind choose(String requested, int javaFeature) {
        String r = requested == null ? "" : requested.trim().toLowerCase(Locale.ROOT);
        Kind kind = switch (r) {
            case "", "auto" -> Kind.AOT;
            case "aot" -> Kind.AOT;
            case "cds" -> Kind.CDS;
            case "none", "off" -> Kind.NONE;
            default -> throw new SpawnFailedException(ENV + "=" + requested + " is not a class cache kind; use aot, cds or none "
                    + "(or unset it for the best available)", List.of());
        };
        if (kind == Kind.AOT && javaFeature < AOT_MIN_FEATURE) {
            if (!r.isEmpty() && !r.equals("auto")) {
                LOG.info(ENV + "=aot needs JDK " + AOT_MIN_FEATURE + "+, the runner's is " + javaFeature + "; using the AppCDS archive");
            }
            return Kind.CDS;
        }
        return kind;
    }

    /**
     * The class cache flags for a runner started with {@code java <baseFlags> <these> -cp runnerJar ...}: the chosen
     * kind's cache (trained first if missing or failing verification), falling back AOT → CDS → none when training
     * fails, plus {@code -Dagentkernel.class.cache=<kind>} so the runner can report what it asked for and got.
     * {@code cacheDir} null: none.
     */
    public static Selection select(Path runnerJar, Path cacheDir, Map<String, String> env, List<String> baseFlags) {
        Kind kind = choose(env.get(ENV), Runtime.version().feature());
        return select(runnerJar, cacheDir, kind, baseFlags, RunnerJvmFlags.currentJava());
    }

    static Selection select(Path runnerJar, Path cacheDir, Kind kind, List<String> baseFlags, String java) {
        if (cacheDir != null && kind != Kind.NONE) {
            try {
                Files.createDirectories(cacheDir);
                for (Kind k = kind; k != Kind.NONE; k = k == Kind.AOT ? Kind.CDS : Kind.NONE) {
                    Path file = cacheFile(cacheDir, runnerJar, k, baseFlags);
                    if (usable(file) || train(runnerJar, file, k, baseFlags, java)) {
                        return new Selection(k, file, flags(k, file));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // No cache only costs start-up time; the runner works without one.
                LOG.fine("runner class cache unavailable: " + e);
            }
        }
        return new Selection(Kind.NONE, null, flags(Kind.NONE, null));
    }

    static List<String> flags(Kind kind, Path file) {
        List<String> flags = new ArrayList<>();
        switch (kind) {
            // auto: a cache the JVM cannot use is ignored with a warning on stdout, never a failed start
            case AOT -> {
                flags.add("-XX:AOTMode=auto");
                flags.add("-XX:AOTCache=" + file);
                // a cache trained before NO_TRAINING_DATA must not replay its profiles either
                flags.add("-XX:-AOTReplayTraining");
            }
            case CDS -> {
                flags.add("-Xshare:auto");
                flags.add("-XX:SharedArchiveFile=" + file);
            }
            case NONE -> { }
        }
        flags.add("-D" + Protocol.CLASS_CACHE_PROPERTY + "=" + kind.id());
        return flags;
    }

    /**
     * What the AOT training run adds (diagnostic flags; the runner's flags unlock them): no method profiles or
     * compilation records in the cache. With them, JDK 25 replays the training run's compilations at every runner's
     * start, so the C1 thread compiled ~750 ms of methods while the runner started, most of them for code the first
     * turns never need. Measured 2026-12-06 on the 2-core box, one runner alone, AB-interleaved, 4 runs each: CPU to
     * ready 1.59–1.87 → 1.39–1.61 s, ready 1007–1222 → 928–1119 ms, RSS 102 → 99 MB, cache 50.1 → 48.3 MB; the median
     * first token of 25 warm turns unchanged (10.4–16.2 vs 10.4–11.3 ms). Part of the cache key, so older caches are
     * retrained.
     */
    static final List<String> NO_TRAINING_DATA = List.of("-XX:-AOTRecordTraining");

    /** {@code <cacheDir>/runner-<key><suffix>}. */
    static Path cacheFile(Path cacheDir, Path runnerJar, Kind kind, List<String> baseFlags) throws IOException {
        return cacheDir.resolve("runner-" + key(runnerJar, kind, baseFlags, System.getProperty("java.home"),
                Runtime.version().toString()) + kind.suffix);
    }

    /** The cache key: JDK (home and version), runner jar and its Class-Path jars (path, size, mtime), flags, kind. */
    static String key(Path runnerJar, Kind kind, List<String> baseFlags, String javaHome, String javaVersion) throws IOException {
        String material = String.join("\n", javaHome, javaVersion, jarStamp(runnerJar), String.join(" ", baseFlags), kind.id(),
                kind == Kind.AOT ? String.join(" ", NO_TRAINING_DATA) : "");
        return HexFormat.of().formatHex(sha256().digest(material.getBytes(StandardCharsets.UTF_8)), 0, 8);
    }

    /**
     * The runner jar's path, size and mtime plus name, size and mtime of each jar on its manifest {@code Class-Path}
     * (the SDK jars): the same facts the JVM checks before it maps a cache for a class path, so a key changes whenever
     * the JVM would refuse the cache. Not a hash of the content: SHA-256 over the 280 KB jar ran interpreted in a
     * fresh kernel JVM and took ~100 ms of every first spawn, before the runner could start (2-core box, 2026-12-06).
     * Remembered per (path, size, mtime), so the manifest is read once per rebuild.
     */
    static String jarStamp(Path runnerJar) throws IOException {
        Path jar = runnerJar.toAbsolutePath().normalize();
        String size = Long.toString(Files.size(jar));
        String mtime = Long.toString(Files.getLastModifiedTime(jar).toMillis());
        String[] known = JAR_STAMPS.get(jar);
        if (known != null && known[0].equals(size) && known[1].equals(mtime)) return known[2];
        StringBuilder stamp = new StringBuilder(jar.toString()).append(':').append(size).append(':').append(mtime).append('\n');
        try (JarFile jf = new JarFile(jar.toFile())) {
            var manifest = jf.getManifest();
            String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
            if (classPath != null) {
                for (String entry : classPath.trim().split("\\s+")) {
                    Path lib = jar.resolveSibling(entry);
                    stamp.append(entry);
                    if (Files.isRegularFile(lib)) stamp.append(':').append(Files.size(lib)).append(':').append(Files.getLastModifiedTime(lib).toMillis());
                    stamp.append('\n');
                }
            }
        } catch (IOException e) {
            stamp.append("unreadable-manifest"); // not a jar: the training will fail and say so
        }
        String result = stamp.toString();
        JAR_STAMPS.put(jar, new String[] {size, mtime, result});
        return result;
    }

    /**
     * True when {@code file} is a finished cache: it exists and its size and mtime are the ones its {@code .ok} file
     * recorded when the training finished. A cache that no longer matches its record is deleted with the record, so
     * it is retrained.
     */
    static boolean usable(Path file) throws IOException {
        Path ok = okFile(file);
        if (Files.isRegularFile(file) && Files.isRegularFile(ok)) {
            String expected = Files.readString(ok, StandardCharsets.UTF_8).trim();
            if (expected.equals(stamp(file))) return true;
            LOG.warning("the runner class cache " + file + " changed since it was trained (" + stamp(file) + ", recorded "
                    + expected + "); deleting and retraining it");
            Files.deleteIfExists(file);
            Files.deleteIfExists(ok);
        }
        // one of the two missing: not finished (or another kernel is between its two renames); training replaces both
        return false;
    }

    static Path okFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".ok");
    }

    private static String stamp(Path file) throws IOException {
        return Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis();
    }

    /**
     * Trains the cache with a throw-away runner ({@code --cds-training}); false when that fails (the caller then
     * falls back). Serialised in this JVM and atomic on disk (written under a temporary name, then renamed, then
     * its {@code .ok} record written), so twenty concurrent first spawns train once and never map a half-written cache.
     */
    static boolean train(Path runnerJar, Path file, Kind kind, List<String> baseFlags, String java) {
        synchronized (TRAINING_LOCK) {
            try {
                if (usable(file)) return true;
            } catch (IOException e) {
                return false;
            }
            Path tmp = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            Path log = file.resolveSibling(file.getFileName() + ".training.log");
            try {
                List<String> cmd = new ArrayList<>();
                cmd.add(java);
                cmd.addAll(baseFlags);
                // record and create in one run (JEP 514): the JVM re-launches itself to assemble the cache at exit
                if (kind == Kind.AOT) cmd.addAll(NO_TRAINING_DATA);
                cmd.add(kind == Kind.AOT ? "-XX:AOTCacheOutput=" + tmp : "-XX:ArchiveClassesAtExit=" + tmp);
                cmd.addAll(List.of("-cp", runnerJar.toString(), "dev.agentkernel.runner.RunnerMain", "--cds-training"));
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
                // the AOT assembly step passes its flags through JAVA_TOOL_OPTIONS; ours must not mix in
                pb.environment().remove("JAVA_TOOL_OPTIONS");
                Process p = pb.start();
                if (!p.waitFor(TRAINING_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    LOG.warning("training the runner's " + kind.id() + " class cache took over " + TRAINING_TIMEOUT_SECONDS + " s; see " + log);
                    return false;
                }
                if (p.exitValue() != 0 || !Files.isRegularFile(tmp)) {
                    LOG.warning("training the runner's " + kind.id() + " class cache failed (exit " + p.exitValue() + "); see " + log);
                    return false;
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Path okTmp = okFile(tmp);
                Files.writeString(okTmp, stamp(file) + "\n", StandardCharsets.UTF_8);
                Files.move(okTmp, okFile(file), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Files.deleteIfExists(log);
                return true;
            } catch (IOException | RuntimeException e) {
                LOG.warning("training the runner's " + kind.id() + " class cache failed: " + e);
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                try {
                    Files.deleteIfExists(tmp);
                    Files.deleteIfExists(okFile(tmp));
                    Files.deleteIfExists(tmp.resolveSibling(tmp.getFileName() + ".config")); // AOTCacheOutput's leftover on a crash
                } catch (IOException ignored) {
                    // a stray temporary file is never mapped (wrong name) and is overwritten next time
                }
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
