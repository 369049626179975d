package dev.agentkernel.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 16.7: {@code examples/consumer}, a project of its own that imports {@code agentkernel-bom} and depends on the
 * kernel and helpers artifacts, is built by Maven from the local repository and run: it spawns an agent (its runner
 * found as {@code agentkernel-runner-<v>-all.jar} beside the kernel's jar in the repository), asks it, kills it.
 *
 * <p>It needs this build's artifacts installed, which {@code mvn install} does module by module before this module's
 * integration tests run ({@code scripts/test.sh} runs {@code install} and sets {@code agentkernel.consumer.required});
 * under a plain {@code mvn verify} the repository may hold older artifacts or none, and the test is skipped.
 */
class ConsumerProjectIT {
    static final Set<String> INSTALLED = Set.of("agentkernel-bom", "agentkernel-protocol", "agentkernel-kernel",
            "agentkernel-helpers", "agentkernel-fake-llm", "agentkernel-runner");

    @Test
    void aConsumerProjectBuildsFromTheBomAndRunsAnAgent(@TempDir Path tmp) throws Exception {
        Path repo = Path.of(System.getProperty("agentkernel.repo", "..")).toRealPath();
        // -Dmaven.repo.local (a CI run with a repository of its own) reaches this JVM as a system property
        String repoLocal = System.getProperty("maven.repo.local");
        Path localRepo = (repoLocal != null ? Path.of(repoLocal) : Path.of(System.getProperty("user.home"), ".m2/repository"))
                .resolve("dev/agentkernel");
        String version = System.getProperty("agentkernel.version", "0.1.0-SNAPSHOT");
        boolean required = Boolean.getBoolean("agentkernel.consumer.required");
        boolean fresh = installedFresh(repo, localRepo, version);
        if (required) assertTrue(fresh, "this build's artifacts are not all installed in " + localRepo + " (run mvn install)");
        assumeTrue(fresh, "this build's artifacts are not installed in ~/.m2 (mvn install, or scripts/test.sh)");

        Path project = tmp.resolve("consumer");
        copyTree(repo.resolve("examples/consumer"), project);
        String mvn = System.getProperty("agentkernel.mvn", "mvn");
        List<String> mvnCommand = new ArrayList<>(List.of(mvn, "-B", "-q", "-f", project.resolve("pom.xml").toString(),
                "-Dagentkernel.version=" + version, "package", "dependency:build-classpath",
                "-Dmdep.outputFile=" + project.resolve("classpath.txt")));
        if (repoLocal != null) mvnCommand.add("-Dmaven.repo.local=" + repoLocal);
        Result build = run(mvnCommand, project, 300);
        assertEquals(0, build.code(), "the consumer project builds from the BOM: " + build.out() + build.err());
        String classPath = project.resolve("target/classes") + java.io.File.pathSeparator
                + Files.readString(project.resolve("classpath.txt")).strip();
        assertFalse(classPath.contains("agentkernel-runner"), "the runner is never on the user's class path: " + classPath);
        assertTrue(classPath.contains("agentkernel-kernel-" + version) && classPath.contains("jackson-databind"),
                "the kernel and its transitive dependencies come from the repository: " + classPath);

        String java = ProcessHandle.current().info().command().orElse("java");
        Result ran = run(List.of(java, "-cp", classPath, "example.consumer.Main", "hello", "consumer"), project, 120);
        assertEquals(0, ran.code(), ran.out() + ran.err());
        assertTrue(ran.out().lines().anyMatch(l -> l.startsWith("ANSWER ") && l.contains("hello consumer")), ran.out() + ran.err());
    }

    /** Every artifact the consumer needs is in the local repository and no older than this build's jar of it. */
    private static boolean installedFresh(Path repo, Path localRepo, String version) throws Exception {
        for (String artifact : INSTALLED) {
            Path dir = localRepo.resolve(artifact).resolve(version);
            Path installed = dir.resolve(artifact + "-" + version + (artifact.equals("agentkernel-bom") ? ".pom" : ".jar"));
            if (!Files.isRegularFile(installed)) return false;
        }
        Path builtKernel = repo.resolve("kernel/target/agentkernel-kernel-" + version + ".jar");
        Path installedKernel = localRepo.resolve("agentkernel-kernel").resolve(version).resolve("agentkernel-kernel-" + version + ".jar");
        return !Files.isRegularFile(builtKernel)
                // install keeps the jar's time, to the millisecond on this file system
                || Files.getLastModifiedTime(installedKernel).toMillis() >= Files.getLastModifiedTime(builtKernel).toMillis();
    }

    record Result(int code, String out, String err) {}

    private static Result run(List<String> command, Path cwd, int seconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(cwd.toFile());
        pb.environment().remove("LLM_API_KEY");
        pb.environment().remove("AGENTKERNEL_RUNNER_JAR");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path out = cwd.resolveSibling(cwd.getFileName() + ".out");
        Path err = cwd.resolveSibling(cwd.getFileName() + ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) fail(command + " did not finish in " + seconds + " s");
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path rel = from.relativize(f);
                if (rel.startsWith("target")) continue;
                Path dest = to.resolve(rel.toString());
                if (Files.isDirectory(f)) Files.createDirectories(dest);
                else Files.copy(f, dest, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
