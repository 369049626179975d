package dev.agentkernel.runner;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code RunnerMain} as the kernel starts it, a real JVM on this test class path, for the process tests; every
 * process started (and its children) is killed after each test, whatever the test left. Register with
 * {@code @RegisterExtension final RunnerProcesses runners = new RunnerProcesses();}.
 */
public final class RunnerProcesses implements AfterEachCallback {
    /** The flags the kernel's launcher uses for a short-lived runner: quick start over peak speed. */
    public static final List<String> QUICK_START = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final List<Process> started = new CopyOnWriteArrayList<>();

    /** Writes {@code configJson} to {@code dir/config.json} and starts a runner on it; stderr appends to {@code dir/runner.err}. */
    public Process launch(Path dir, String configJson, List<String> jvmFlags) throws IOException {
        Path config = dir.resolve("config.json");
        Files.writeString(config, configJson);
        return start(dir.resolve("runner.err"), jvmFlags, "--config", config.toString());
    }

    /** Starts {@code RunnerMain args} with {@code jvmFlags}; stdout is a pipe (the ready line), stderr appends to {@code stderr}. */
    public Process start(Path stderr, List<String> jvmFlags, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), RunnerMain.class.getName()));
        command.addAll(List.of(args));
        return track(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
                .redirectOutput(ProcessBuilder.Redirect.PIPE).start());
    }

    /** Kills {@code p} with the runners after the test (e.g. a stand-in owner process). */
    public Process track(Process p) {
        started.add(p);
        return p;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        started.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
        started.clear();
    }
}
