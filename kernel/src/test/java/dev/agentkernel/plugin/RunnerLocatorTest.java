package dev.agentkernel.plugin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class RunnerLocatorTest {

    @Test
    void aKernelJarFromAMavenRepositoryFindsTheRunnersAllJarOfTheSameVersion(@TempDir Path repo) throws Exception {
        Path kernel = jar(repo, "agentkernel-kernel", "1.2.3", "agentkernel-kernel-1.2.3.jar");
        assertEquals(Optional.empty(), RunnerLocator.inMavenRepository(kernel), "no runner installed yet");
        jar(repo, "agentkernel-runner", "1.2.3", "agentkernel-runner-1.2.3.jar");
        assertEquals(Optional.empty(), RunnerLocator.inMavenRepository(kernel),
                "the thin runner jar needs a lib/ a repository does not have");
        jar(repo, "agentkernel-runner", "1.2.4", "agentkernel-runner-1.2.4-all.jar");
        assertEquals(Optional.empty(), RunnerLocator.inMavenRepository(kernel), "another version does not count");
        Path all = jar(repo, "agentkernel-runner", "1.2.3", "agentkernel-runner-1.2.3-all.jar");
        assertEquals(Optional.of(all), RunnerLocator.inMavenRepository(kernel));
    }

    @Test
    void aKernelOutsideARepositoryLayoutIsNotGuessedAt(@TempDir Path dir) throws Exception {
        assertEquals(Optional.empty(), RunnerLocator.inMavenRepository(null));
        assertEquals(Optional.empty(), RunnerLocator.inMavenRepository(Files.createDirectories(dir.resolve("target/classes"))));
        Path elsewhere = Files.createDirectories(dir.resolve("lib")).resolve("agentkernel-kernel-1.0.jar");
        Files.writeString(elsewhere, "");
        Files.createDirectories(dir.resolve("agentkernel-runner/lib"));
        assertEquals(Optional.empty(), RunnerLocator.inMavenRepository(elsewhere));
    }

    private static Path jar(Path repo, String artifact, String version, String file) throws Exception {
        Path dir = Files.createDirectories(repo.resolve("dev/agentkernel").resolve(artifact).resolve(version));
        return Files.writeString(dir.resolve(file), "");
    }
}
