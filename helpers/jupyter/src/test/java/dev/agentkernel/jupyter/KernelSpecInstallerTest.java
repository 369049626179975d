package dev.agentkernel.jupyter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
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
}
