package dev.agentkernel.plugin;

import dev.agentkernel.SpawnFailedException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds {@code agentkernel-runner.jar}: system property {@value #PROPERTY}, else env {@value #ENV},
 * else next to the kernel's own build tree (kernel/target/classes, kernel/target/*.jar,
 * cli/target/lib/*.jar all sit a few levels below the repository holding runner/target/), else, when the kernel
 * jar comes from a Maven repository (a project that depends on {@code agentkernel-kernel}), the runner's
 * self-contained {@code agentkernel-runner-<version>-all.jar} of the same version in that repository.
 */
public final class RunnerLocator {
    public static final String PROPERTY = "agentkernel.runner.jar";
    public static final String ENV = "AGENTKERNEL_RUNNER_JAR";
    public static final String JAR_IN_REPO = "runner/target/agentkernel-runner.jar";
    private static final int MAX_LEVELS_UP = 6;

    private RunnerLocator() {}

    public static Path locate(Map<String, String> hostEnv) {
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isBlank()) return requireFile(Path.of(prop), "system property " + PROPERTY);
        String env = hostEnv.get(ENV);
        if (env != null && !env.isBlank()) return requireFile(Path.of(env), "environment variable " + ENV);
        Path codeSource = codeSource();
        Optional<Path> found = besideCodeSource(codeSource).or(() -> inMavenRepository(codeSource));
        return found.orElseThrow(() -> new SpawnFailedException("cannot find the runner jar (" + JAR_IN_REPO
                + ") near the kernel at " + codeSource + "; build it (bin/agentkernel builds it, or run "
                + "`mvn -pl runner package` in the repository), or in a project of your own fetch it with "
                + "`mvn dependency:get -Dartifact=dev.agentkernel:agentkernel-runner:<version>:jar:all`, or set -D"
                + PROPERTY + "=<path> or " + ENV + "=<path>", List.of()));
    }

    /**
     * {@code <repo>/dev/agentkernel/agentkernel-runner/<v>/agentkernel-runner-<v>-all.jar} when {@code kernelJar} is
     * {@code <repo>/dev/agentkernel/agentkernel-kernel/<v>/agentkernel-kernel-<v>.jar}: the Maven repository layout.
     * Only the {@code all} jar will do: the plain one finds its dependencies in a {@code lib/} beside it, which a
     * repository does not have.
     */
    static Optional<Path> inMavenRepository(Path kernelJar) {
        if (kernelJar == null || !kernelJar.getFileName().toString().endsWith(".jar")) return Optional.empty();
        Path versionDir = kernelJar.toAbsolutePath().normalize().getParent();
        Path artifactDir = versionDir == null ? null : versionDir.getParent();
        if (artifactDir == null || artifactDir.getParent() == null || !artifactDir.getFileName().toString().equals("agentkernel-kernel")) {
            return Optional.empty();
        }
        String version = versionDir.getFileName().toString();
        Path candidate = artifactDir.resolveSibling("agentkernel-runner").resolve(version)
                .resolve("agentkernel-runner-" + version + "-all.jar");
        return Files.isRegularFile(candidate) ? Optional.of(candidate) : Optional.empty();
    }

    /** Looks for runner/target/agentkernel-runner.jar in each ancestor of {@code start}. */
    static Optional<Path> besideCodeSource(Path start) {
        Path dir = start == null ? null : start.toAbsolutePath().normalize();
        for (int i = 0; dir != null && i < MAX_LEVELS_UP; i++, dir = dir.getParent()) {
            Path candidate = dir.resolve(JAR_IN_REPO);
            if (Files.isRegularFile(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    private static Path codeSource() {
        try {
            return Path.of(RunnerLocator.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            return null;
        }
    }

    private static Path requireFile(Path p, String source) {
        if (!Files.isRegularFile(p)) {
            throw new SpawnFailedException("the runner jar named by " + source + " does not exist: " + p.toAbsolutePath()
                    + "; build it (`mvn -pl runner package`, or bin/agentkernel builds it) or fix the path", List.of());
        }
        return p.toAbsolutePath().normalize();
    }
}
