package dev.agentkernel.jupyter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the Python test scripts (src/test/python) with Debian's Jupyter client packages against a kernelspec
 * installed into a temporary Jupyter data dir, so nothing touches the user's Jupyter setup.
 */
final class PythonJupyter implements AutoCloseable {
    static final String PYTHON = "/usr/bin/python3";
    static final String KERNEL_NAME = "agentkernel-test";
    static final Path SCRIPTS = Path.of(System.getProperty("agentkernel.python.dir", "src/test/python"));

    record Result(int exitCode, String output) {
    }

    final Path root;
    final Path dataDir;
    final Path agentkernelHome;

    PythonJupyter() throws IOException {
        root = Files.createTempDirectory("agentkernel-jupyter-test");
        dataDir = root.resolve("data");
        agentkernelHome = root.resolve("home");
        Files.createDirectories(agentkernelHome);
        Files.createDirectories(root.resolve("work"));
        KernelSpecInstaller.install(new KernelSpecInstaller.Options(KernelSpecInstaller.Location.USER,
                java.util.Optional.empty(), KERNEL_NAME, java.util.Optional.empty()),
                Map.of("JUPYTER_DATA_DIR", dataDir.toString()));
    }

    /** Installs this build's kernelspec under another name too (a notebook's metadata names the kernel it wants). */
    void installAs(String name) {
        KernelSpecInstaller.install(new KernelSpecInstaller.Options(KernelSpecInstaller.Location.USER,
                java.util.Optional.empty(), name, java.util.Optional.empty()), Map.of("JUPYTER_DATA_DIR", dataDir.toString()));
    }

    /** Why the Python tests cannot run here, or null when /usr/bin/python3 has what they need. */
    static String missingPackages() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import jupyter_client, jupyter_kernel_test, nbclient, nbformat")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return PYTHON + " did not answer within 60 s";
            }
            return p.exitValue() == 0 ? null : PYTHON + " lacks the Jupyter packages (apt-get install "
                    + "python3-jupyter-client python3-nbclient python3-jupyter-kernel-test python3-nbformat): " + out.strip();
        } catch (IOException e) {
            return PYTHON + " is not available: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    Result run(long timeoutSeconds, Map<String, String> extraEnv, String script, String... args)
            throws IOException, InterruptedException {
        Process process = start(extraEnv, script, args);
        return finish(process, timeoutSeconds);
    }

    /** Starts a script with the test's Jupyter environment; its output is merged into its stdout. */
    Process start(Map<String, String> extraEnv, String script, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(PYTHON, "-u", SCRIPTS.resolve(script).toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.resolve("work").toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("JUPYTER_DATA_DIR", dataDir.toString());
        env.put("JUPYTER_PATH", dataDir.toString());
        env.put("JUPYTER_CONFIG_DIR", root.resolve("config").toString());
        env.put("JUPYTER_RUNTIME_DIR", root.resolve("runtime").toString());
        env.put("JUPYTER_PLATFORM_DIRS", "0");
        env.put("AGENTKERNEL_HOME", agentkernelHome.toString());
        env.put("AGENTKERNEL_KERNEL_NAME", KERNEL_NAME);
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        String runnerJar = System.getProperty("agentkernel.runner.jar");
        if (runnerJar != null) env.put("AGENTKERNEL_RUNNER_JAR", Path.of(runnerJar).toAbsolutePath().normalize().toString());
        env.putAll(extraEnv);
        return pb.start();
    }

    private Result finish(Process process, long timeoutSeconds) throws InterruptedException {
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(output lost: " + e + ")";
            }
        });
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            killTree(process.toHandle());
            return new Result(-1, "TIMED OUT after " + timeoutSeconds + " s\n" + output.getNow(""));
        }
        try {
            return new Result(process.exitValue(), output.get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            return new Result(process.exitValue(), "(output lost: " + e + ")");
        }
    }

    private static void killTree(ProcessHandle process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
