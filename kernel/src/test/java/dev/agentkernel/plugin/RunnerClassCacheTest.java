package dev.agentkernel.plugin;

import dev.agentkernel.SpawnFailedException;
import dev.agentkernel.plugin.RunnerClassCache.Kind;
import dev.agentkernel.plugin.RunnerClassCache.Selection;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The choice, key and verification logic of the runner class cache. Training is done by a stand-in {@code java}
 * (a shell script that writes the file the real JVM would, or fails), so each case runs in milliseconds; the real
 * training through both SDKs is covered by ClassCacheE2eTest.
 */
class RunnerClassCacheTest {

    @TempDir Path tmp;
    Path jar;
    Path cacheDir;
    Path calls;
    static final List<String> FLAGS = List.of("-XX:+UseSerialGC", "-Xss512k");

    @BeforeEach
    void setUp() throws IOException {
        jar = tmp.resolve("agentkernel-runner.jar");
        Files.writeString(jar, "runner v1");
        cacheDir = tmp.resolve("cds");
        calls = tmp.resolve("calls.log");
    }

    /** A stand-in java: logs the cache flag it got, writes the cache it names unless that kind is in {@code failing}. */
    Path fakeJava(String failing) throws IOException {
        Path java = tmp.resolve("java-" + (failing.isEmpty() ? "ok" : failing.replace(' ', '-')));
        Files.writeString(java, """
                #!/bin/sh
                for a in "$@"; do
                  case "$a" in
                    -XX:AOTCacheOutput=*) kind=aot; out="${a#-XX:AOTCacheOutput=}" ;;
                    -XX:ArchiveClassesAtExit=*) kind=cds; out="${a#-XX:ArchiveClassesAtExit=}" ;;
                  esac
                done
                echo "$kind" >> '%s'
                echo "$*" >> '%s'
                case " %s " in *" $kind "*) echo "training failed" >&2; exit 1 ;; esac
                printf 'a trained %%s cache' "$kind" > "$out"
                """.formatted(calls, tmp.resolve("args.log"), failing));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
        return java;
    }

    List<String> trainings() throws IOException {
        return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
    }

    @Test
    void bestAvailableIsTheAotCacheOnJdk25AndTheAppCdsArchiveBefore() {
        assertEquals(Kind.AOT, RunnerClassCache.choose(null, 25));
        assertEquals(Kind.AOT, RunnerClassCache.choose("", 26));
        assertEquals(Kind.AOT, RunnerClassCache.choose("auto", 25));
        assertEquals(Kind.CDS, RunnerClassCache.choose(null, 21), "JDK 21 has no AOT cache");
        assertEquals(Kind.CDS, RunnerClassCache.choose("aot", 24), "asked for aot on an old JDK: the CDS archive");
        assertEquals(Kind.AOT, RunnerClassCache.choose(" AOT ", 25));
        assertEquals(Kind.CDS, RunnerClassCache.choose("cds", 25));
        assertEquals(Kind.NONE, RunnerClassCache.choose("none", 25));
        assertEquals(Kind.NONE, RunnerClassCache.choose("none", 21));
        SpawnFailedException e = assertThrows(SpawnFailedException.class, () -> RunnerClassCache.choose("leyden", 25));
        assertTrue(e.getMessage().contains(RunnerClassCache.ENV) && e.getMessage().contains("aot, cds or none"), e.getMessage());
    }

    @Test
    void theKeyChangesWithTheJdkTheJarItsLibrariesTheFlagsAndTheKind() throws Exception {
        String key = RunnerClassCache.key(jar, Kind.AOT, FLAGS, "/jdk25", "25.0.3+9");
        assertEquals(key, RunnerClassCache.key(jar, Kind.AOT, FLAGS, "/jdk25", "25.0.3+9"), "stable");
        assertNotEquals(key, RunnerClassCache.key(jar, Kind.AOT, FLAGS, "/other-jdk25", "25.0.3+9"));
        assertNotEquals(key, RunnerClassCache.key(jar, Kind.AOT, FLAGS, "/jdk25", "25.0.4+1"));
        assertNotEquals(key, RunnerClassCache.key(jar, Kind.AOT, List.of("-XX:+UseSerialGC"), "/jdk25", "25.0.3+9"));
        assertNotEquals(key, RunnerClassCache.key(jar, Kind.CDS, FLAGS, "/jdk25", "25.0.3+9"));
        Files.writeString(jar, "runner v2");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 5000));
        assertNotEquals(key, RunnerClassCache.key(jar, Kind.AOT, FLAGS, "/jdk25", "25.0.3+9"), "a rebuilt runner jar");
    }

    @Test
    void theKeyFollowsTheJarsOnTheRunnerClassPath() throws Exception {
        Path realJar = tmp.resolve("runner.jar");
        var manifest = new java.util.jar.Manifest();
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, "lib/sdk.jar");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(realJar), manifest)) {
            out.putNextEntry(new java.util.zip.ZipEntry("x.txt"));
            out.write(1);
        }
        Files.createDirectories(tmp.resolve("lib"));
        Files.writeString(tmp.resolve("lib/sdk.jar"), "sdk 1");
        String key = RunnerClassCache.key(realJar, Kind.AOT, FLAGS, "/jdk", "25");
        Files.writeString(tmp.resolve("lib/sdk.jar"), "sdk 1.1");
        // the runner jar is unchanged, so its remembered hash must not hide the new library
        Files.setLastModifiedTime(realJar, FileTime.fromMillis(Files.getLastModifiedTime(realJar).toMillis() + 1000));
        assertNotEquals(key, RunnerClassCache.key(realJar, Kind.AOT, FLAGS, "/jdk", "25"));
    }

    @Test
    void aFirstSpawnTrainsTheAotCacheOnceAndLaterOnesMapIt() throws Exception {
        Path java = fakeJava("");
        Selection first = RunnerClassCache.select(jar, cacheDir, Kind.AOT, FLAGS, java.toString());
        assertEquals(Kind.AOT, first.kind());
        assertTrue(first.file().getFileName().toString().endsWith(".aot"), first.file().toString());
        assertTrue(Files.isRegularFile(first.file()) && Files.isRegularFile(RunnerClassCache.okFile(first.file())));
        assertEquals(List.of("-XX:AOTMode=auto", "-XX:AOTCache=" + first.file(), "-XX:-AOTReplayTraining", "-Dagentkernel.class.cache=aot"),
                first.flags(), "runners replay no training profiles");
        assertTrue(Files.readString(tmp.resolve("args.log")).contains("-XX:-AOTRecordTraining -XX:AOTCacheOutput="),
                "the training run records no profiles: " + Files.readString(tmp.resolve("args.log")));
        Selection second = RunnerClassCache.select(jar, cacheDir, Kind.AOT, FLAGS, java.toString());
        assertEquals(first, second);
        assertEquals(List.of("aot"), trainings(), "trained once");
        try (var left = Files.list(cacheDir)) {
            assertEquals(2, left.count(), "the cache and its record, no temporary files");
        }
    }

    @Test
    void aTruncatedOrOverwrittenCacheIsRetrainedBeforeTheSpawn() throws Exception {
        Path java = fakeJava("");
        Path file = RunnerClassCache.select(jar, cacheDir, Kind.AOT, FLAGS, java.toString()).file();
        Files.writeString(file, "a trun"); // truncated: the size no longer matches the record
        Selection again = RunnerClassCache.select(jar, cacheDir, Kind.AOT, FLAGS, java.toString());
        assertEquals(Kind.AOT, again.kind());
        assertEquals("a trained aot cache", Files.readString(file));
        assertEquals(List.of("aot", "aot"), trainings());

        Files.writeString(file, "garbage!!garbage!!!"); // same size, but a new mtime
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 7000));
        RunnerClassCache.select(jar, cacheDir, Kind.AOT, FLAGS, java.toString());
        assertEquals("a trained aot cache", Files.readString(file));
        assertEquals(List.of("aot", "aot", "aot"), trainings());
    }

    @Test
    void aCacheWithoutItsRecordIsNotTrusted() throws Exception {
        Path java = fakeJava("");
        Path file = RunnerClassCache.select(jar, cacheDir, Kind.CDS, FLAGS, java.toString()).file();
        Files.delete(RunnerClassCache.okFile(file)); // e.g. a kernel killed between the two renames
        assertFalse(RunnerClassCache.usable(file));
        assertEquals(Kind.CDS, RunnerClassCache.select(jar, cacheDir, Kind.CDS, FLAGS, java.toString()).kind());
        assertEquals(List.of("cds", "cds"), trainings());
    }

    @Test
    void aStaleCacheOfAnotherJarIsNeverMapped() throws Exception {
        Path java = fakeJava("");
        Path before = RunnerClassCache.select(jar, cacheDir, Kind.AOT, FLAGS, java.toString()).file();
        Files.writeString(jar, "runner v2, rebuilt");
        Path after = RunnerClassCache.select(jar, cacheDir, Kind.AOT, FLAGS, java.toString()).file();
        assertNotEquals(before, after, "a rebuilt runner gets its own cache");
        assertEquals(List.of("aot", "aot"), trainings());
    }

    @Test
    void aFailedAotTrainingFallsBackToTheAppCdsArchive() throws Exception {
        Selection s = RunnerClassCache.select(jar, cacheDir, Kind.AOT, FLAGS, fakeJava("aot").toString());
        assertEquals(Kind.CDS, s.kind());
        assertEquals(List.of("-Xshare:auto", "-XX:SharedArchiveFile=" + s.file(), "-Dagentkernel.class.cache=cds"), s.flags());
        assertEquals(List.of("aot", "cds"), trainings());
        try (var left = Files.list(cacheDir)) {
            List<String> names = left.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(3, names.size(), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.endsWith(".aot.training.log")), "the failed training's output is kept: " + names);
        }
    }

    @Test
    void noCacheAtAllWhenEveryTrainingFailsOrNoneIsAsked() throws Exception {
        Selection failed = RunnerClassCache.select(jar, cacheDir, Kind.AOT, FLAGS, fakeJava("aot cds").toString());
        assertEquals(new Selection(Kind.NONE, null, List.of("-Dagentkernel.class.cache=none")), failed);
        assertEquals(Kind.NONE, RunnerClassCache.select(jar, cacheDir, Kind.NONE, FLAGS, fakeJava("").toString()).kind());
        assertEquals(Kind.NONE, RunnerClassCache.select(jar, null, Kind.AOT, FLAGS, fakeJava("").toString()).kind());
        assertEquals(List.of("aot", "cds"), trainings(), "none asked: nothing trained");
    }
}
