package dev.agentkernel.jupyter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class KernelSpecInstallerTest {
    @TempDir
    Path tmp;

    private JsonNode kernelJson(Path dir) throws Exception {
        return new ObjectMapper().readTree(Files.readString(dir.resolve("kernel.json")));
    }

    @Test
    void userInstallWritesKernelJsonAndLogosIntoJupyterDataDir() throws Exception {
        Path data = tmp.resolve("data");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = KernelSpecInstaller.run(List.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                System.err, Map.of("JUPYTER_DATA_DIR", data.toString()));
        assertEquals(0, code);
        Path dir = data.resolve("kernels/agentkernel");
        assertTrue(out.toString(StandardCharsets.UTF_8).contains(dir.toString()), out.toString());
        JsonNode spec = kernelJson(dir);
        assertEquals("AgentKernel (Java)", spec.get("display_name").asText());
        assertEquals("java", spec.get("language").asText());
        assertEquals("message", spec.get("interrupt_mode").asText());
        JsonNode argv = spec.get("argv");
        assertEquals(7, argv.size());
        assertEquals(ProcessHandle.current().info().command().orElseThrow(), argv.get(0).asText());
        assertTrue(Files.isExecutable(Path.of(argv.get(0).asText())));
        assertEquals("-XX:+AutoCreateSharedArchive", argv.get(1).asText());
        assertEquals("-XX:SharedArchiveFile={resource_dir}/agentkernel-cds.jsa", argv.get(2).asText());
        argv = ((com.fasterxml.jackson.databind.node.ArrayNode) argv).deepCopy();
        ((com.fasterxml.jackson.databind.node.ArrayNode) argv).remove(1);
        ((com.fasterxml.jackson.databind.node.ArrayNode) argv).remove(1);
        assertEquals("-cp", argv.get(1).asText());
        for (String entry : argv.get(2).asText().split(File.pathSeparator)) {
            assertTrue(Path.of(entry).isAbsolute(), entry);
        }
        assertTrue(argv.get(2).asText().contains("test-classes"), "this JVM's class path");
        assertEquals("dev.agentkernel.jupyter.JupyterMain", argv.get(3).asText());
        assertEquals("{connection_file}", argv.get(4).asText());
        for (String logo : KernelSpecInstaller.LOGOS) {
            byte[] png = Files.readAllBytes(dir.resolve(logo));
            assertEquals((byte) 0x89, png[0]);
            assertEquals("PNG", new String(png, 1, 3, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void runnerJarIsPassedAsEnvironmentWhenKnown() throws Exception {
        Path jar = Files.writeString(tmp.resolve("agentkernel-runner.jar"), "jar");
        String previous = System.getProperty("agentkernel.runner.jar");
        System.setProperty("agentkernel.runner.jar", jar.toString());
        try {
            KernelSpecInstaller.Installed installed = KernelSpecInstaller.install(
                    KernelSpecInstaller.parse(List.of("--prefix", tmp.resolve("p").toString())), Map.of());
            assertEquals(jar.toString(), kernelJson(installed.directory()).get("env").get("AGENTKERNEL_RUNNER_JAR").asText());
        } finally {
            if (previous == null) System.clearProperty("agentkernel.runner.jar");
            else System.setProperty("agentkernel.runner.jar", previous);
        }
    }

    @Test
    void prefixAndNameChooseTheDirectory() {
        KernelSpecInstaller.Installed installed = KernelSpecInstaller.install(
                KernelSpecInstaller.parse(List.of("--prefix", tmp.toString(), "--name", "ak-dev")), Map.of());
        assertEquals(tmp.resolve("share/jupyter/kernels/ak-dev"), installed.directory());
        assertTrue(Files.isRegularFile(installed.directory().resolve("kernel.json")));
    }

    @Test
    void userDirFollowsJupyterRules() {
        assertEquals(Path.of("/x/jd"), KernelSpecInstaller.userDataDir(Map.of("JUPYTER_DATA_DIR", "/x/jd")));
        assertEquals(Path.of("/x/xdg/jupyter"), KernelSpecInstaller.userDataDir(Map.of("XDG_DATA_HOME", "/x/xdg", "HOME", "/h")));
        assertEquals(Path.of("/h/.local/share/jupyter"), KernelSpecInstaller.userDataDir(Map.of("HOME", "/h")));
    }

    @Test
    void sysPrefixAsksPython() {
        KernelSpecInstaller.Options options = KernelSpecInstaller.parse(List.of("--sys-prefix"));
        assertEquals(KernelSpecInstaller.Location.SYS_PREFIX, options.location());
        Path dir = KernelSpecInstaller.dataDir(options, Map.of("AGENTKERNEL_PYTHON", "/usr/bin/python3"));
        assertTrue(dir.endsWith(Path.of("share/jupyter")), dir.toString());
        assertTrue(dir.isAbsolute());
    }

    @Test
    void javaOptionIsCheckedToBeJava21OrNewer() throws Exception {
        String current = ProcessHandle.current().info().command().orElseThrow();
        assertEquals(current, KernelSpecInstaller.javaExecutable(Optional.of(Path.of(current))));
        KernelSpecInstaller.KernelSpecException missing = assertThrows(KernelSpecInstaller.KernelSpecException.class,
                () -> KernelSpecInstaller.javaExecutable(Optional.of(tmp.resolve("nojava"))));
        assertTrue(missing.getMessage().contains("is not an executable file"), missing.getMessage());
        Path old = tmp.resolve("java8");
        Files.writeString(old, "#!/bin/sh\necho 'openjdk version \"1.8.0_402\"' >&2\n");
        old.toFile().setExecutable(true);
        KernelSpecInstaller.KernelSpecException tooOld = assertThrows(KernelSpecInstaller.KernelSpecException.class,
                () -> KernelSpecInstaller.javaExecutable(Optional.of(old)));
        assertTrue(tooOld.getMessage().contains("Java 8; the kernel needs Java 21 or newer"), tooOld.getMessage());
    }

    @Test
    void badArgumentsGetClearErrorsAndExitCode2() {
        assertMessage(List.of("--bogus"), "Unknown option '--bogus'");
        assertMessage(List.of("--prefix"), "--prefix needs a directory");
        assertMessage(List.of("--user", "--sys-prefix"), "Choose one of --user, --sys-prefix and --prefix DIR");
        assertMessage(List.of("--name", "bad name!"), "Invalid kernel name 'bad name!'");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = KernelSpecInstaller.run(List.of("--bogus"), System.out, new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of("JUPYTER_DATA_DIR", tmp.toString()));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("install-kernel: Unknown option"));
    }

    private static void assertMessage(List<String> args, String expected) {
        KernelSpecInstaller.KernelSpecException e = assertThrows(KernelSpecInstaller.KernelSpecException.class,
                () -> KernelSpecInstaller.parse(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    /**
     * install-kernel --aot trains a JDK 25 AOT cache and the kernelspec uses it instead of the CDS flags. The JVM
     * refuses directories on an AOT class path, so this module's classes are put into a jar first, as in the
     * installed CLI (a jar class path).
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 400, unit = java.util.concurrent.TimeUnit.SECONDS)
    void aotInstallTrainsACacheThatTheKernelspecUses() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() >= 25, "AOT caches need JDK 25");
        List<String> classPath = new java.util.ArrayList<>();
        for (String entry : KernelSpecInstaller.classPath()) {
            Path path = Path.of(entry);
            if (!Files.isDirectory(path)) classPath.add(entry);
            else if (path.endsWith("classes")) classPath.add(jarOf(path, tmp.resolve("agentkernel-jupyter.jar")).toString());
        }
        Path dir = tmp.resolve("aot");
        assertTrue(KernelSpecInstaller.trainAotCache(KernelSpecInstaller.javaExecutable(java.util.Optional.empty()),
                classPath, dir), Files.exists(dir.resolve("agentkernel-aot-training.log"))
                ? Files.readString(dir.resolve("agentkernel-aot-training.log")) : "no training log");
        assertTrue(Files.size(dir.resolve(KernelSpecInstaller.AOT_FILE)) > 1_000_000, "a cache of JShell and javac");

        // the test JVM's own class path holds directories: training is refused, the kernelspec keeps the CDS flags
        KernelSpecInstaller.Installed fallback = KernelSpecInstaller.install(
                KernelSpecInstaller.parse(List.of("--prefix", tmp.resolve("p").toString(), "--aot")), Map.of());
        assertEquals(List.of(KernelSpecInstaller.CDS_AUTO, KernelSpecInstaller.CDS_ARCHIVE), fallback.argv().subList(1, 3));
        assertFalse(Files.exists(fallback.directory().resolve(KernelSpecInstaller.AOT_FILE)));
    }

    private static Path jarOf(Path classes, Path jar) throws IOException {
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
             var files = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new java.util.jar.JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    @Test
    void aStaleAotCacheIsNamedWithItsFix() throws Exception {
        Path cache = Files.writeString(tmp.resolve("agentkernel.aot"), "cache");
        Path jar = Files.writeString(tmp.resolve("a.jar"), "jar");
        Files.setLastModifiedTime(cache, java.nio.file.attribute.FileTime.fromMillis(1_000_000));
        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(2_000_000));
        List<String> args = List.of("-XX:AOTCache=" + cache, "-cp", jar.toString());
        String message = KernelSpecInstaller.staleAotCache(args, List.of(jar.toString())).orElseThrow();
        assertTrue(message.contains(jar.toString()) && message.contains("install-kernel"), message);

        Files.setLastModifiedTime(cache, java.nio.file.attribute.FileTime.fromMillis(3_000_000));
        assertTrue(KernelSpecInstaller.staleAotCache(args, List.of(jar.toString())).isEmpty(), "a fresh cache");
        assertTrue(KernelSpecInstaller.staleAotCache(List.of("-cp", jar.toString()), List.of(jar.toString())).isEmpty(),
                "no cache in use");
    }
}
