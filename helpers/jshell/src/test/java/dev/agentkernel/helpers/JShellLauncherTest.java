package dev.agentkernel.helpers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.*;

class JShellLauncherTest {

    @Test
    void runsAScriptAfterTheStartupWithHelpersOnTheClassPath(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("answer.jsh");
        Files.writeString(script, """
                int answer = await(CompletableFuture.completedFuture(42));
                System.out.println("answer=" + answer);
                System.out.println("imports " + Files.class.getSimpleName() + " " + OpenClawSpawnInfo.DEFAULT_MODEL);
                /exit 7
                """);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = JShellLauncher.run(List.of(script.toString()),
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new java.util.HashMap<>());
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("AgentKernel for Java ready"), "banner: " + printed + err);
        assertTrue(printed.contains("answer=42"), printed + err);
        assertTrue(printed.contains("imports Files claude-sonnet-4-5"), printed + err);
        assertEquals(7, exit, "the script's /exit code is returned: " + printed + err);
    }

    @Test
    void aScriptSpawnsAndAsksARealAgentAndExitKillsIt(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(RealAgents.runnerBuilt(), "the runner is not built");
        Path script = dir.resolve("agent.jsh");
        Path state = dir.resolve("state");
        Files.writeString(script, """
                var llm = dev.agentkernel.fakellm.FakeLlmServer.start(0);
                useLlm(llm.anthropicBaseUrl(), "test-key");
                var kernel = Session.track(AgentKernel.builder().backend("local").plugin(new OpenClawPlugin())
                        .stateDir(Path.of("%s")).build());
                var r = spawn(kernel, "shell-agent", openclaw("You answer from JShell."));
                System.out.println("pid=" + info(kernel, r).pid());
                System.out.println("answer=" + ask(kernel, r, "from jshell"));
                /exit
                """.formatted(state));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = JShellLauncher.run(List.of(script.toString()), new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new java.util.HashMap<>());
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, printed + err);
        assertTrue(printed.contains("answer=Echo: from jshell"), printed + err);
        long pid = Long.parseLong(printed.lines().filter(l -> l.startsWith("pid=")).findFirst().orElseThrow()
                .substring(4).strip());
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                "ending the session killed the agent it spawned");
    }

    @Test
    void aMissingScriptIsAClearError() {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> JShellLauncher.run(List.of("/nonexistent/dir/script.jsh")));
        assertTrue(thrown.getMessage().contains("not found") && thrown.getMessage().contains("script.jsh"),
                thrown.getMessage());
    }

    @Test
    void argumentsKeepTheDefaultStartup() {
        List<String> args = JShellLauncher.arguments(Path.of("/tmp/ak.jsh"), List.of("/a.jar", "/b.jar"),
                java.util.Map.of("agentkernel.runner.jar", "/r.jar"), List.of("s.jsh"));
        String sep = java.io.File.pathSeparator;
        assertEquals(List.of("--class-path", "/a.jar" + sep + "/b.jar", "-R-Dagentkernel.runner.jar=/r.jar",
                "--startup", "DEFAULT", "--startup", "/tmp/ak.jsh", "s.jsh"), args);
        assertEquals(System.getProperty("agentkernel.runner.jar"),
                JShellLauncher.forwardedProperties().get("agentkernel.runner.jar"));
    }

    @Test
    void secretsAreNotPutOnTheCommandLine() {
        System.setProperty("agentkernel.llm.apiKey", "sk-must-not-leak");
        try {
            assertFalse(JShellLauncher.forwardedProperties().containsKey("agentkernel.llm.apiKey"));
            assertFalse(JShellLauncher.forwardedProperties().containsValue("sk-must-not-leak"));
        } finally {
            System.clearProperty("agentkernel.llm.apiKey");
        }
    }

    @Test
    void classPathExpandsAJarsManifestClassPath(@TempDir Path dir) throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib dir"));
        Path kernel = Files.createFile(lib.resolve("kernel.jar"));
        Path nested = lib.resolve("nested.jar");
        Path deeper = Files.createFile(lib.resolve("deeper.jar"));
        writeJar(nested, "deeper.jar");
        Path app = dir.resolve("app.jar");
        writeJar(app, "lib%20dir/kernel.jar lib%20dir/nested.jar lib%20dir/missing.jar");

        List<String> entries = JShellLauncher.classPath(app + java.io.File.pathSeparator + "classes");
        assertEquals(List.of(app.toString(), kernel.toString(), nested.toString(), deeper.toString(),
                Path.of("classes").toAbsolutePath().toString()), entries);
    }

    private static void writeJar(Path jar, String classPath) throws Exception {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(file, manifest)) {
            // a manifest is all this jar needs
        }
    }
}
