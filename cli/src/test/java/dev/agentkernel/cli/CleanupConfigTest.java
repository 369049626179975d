package dev.agentkernel.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code cleanup --config}: the Kubernetes half of cleanup (expired owner leases). The deleting itself is
 * tested against the test cluster in the k8s module (OwnerLeaseTest); here, that the CLI refuses what it cannot clean.
 */
class CleanupConfigTest {
    @TempDir Path dir;

    @Test
    void aConfigThatIsNotKubernetesIsRefusedWithWhatToDo() throws Exception {
        Path config = Files.writeString(dir.resolve("local.yaml"), "backend: local\n");
        CliRun run = CliRun.of("cleanup", "--config", config.toString(), "--state-dir", dir.toString());
        assertNotEquals(0, run.exitCode());
        assertTrue(run.err().contains("backend: kubernetes") && run.err().contains("without --config"), run.err());
    }

    @Test
    void helpShowsTheLeaseCleanup() {
        CliRun run = CliRun.of("cleanup", "--help");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("--config") && run.out().contains("owner lease expired"), run.out());
    }
}
