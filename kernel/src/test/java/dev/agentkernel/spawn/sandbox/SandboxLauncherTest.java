package dev.agentkernel.spawn.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * --die-with-parent follows the thread that started the sandbox. The launcher's own thread must be that
 * thread: a sandbox outlives the (virtual or short-lived) thread that asked for it, and dies with the backend.
 */
@Timeout(30)
class SandboxLauncherTest {

    @Test
    void aSandboxOutlivesTheRequestingThreadAndDiesWhenTheLauncherCloses() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")), "needs bubblewrap (apt-get install bubblewrap)");
        SandboxLauncher launcher = new SandboxLauncher(Map.of());
        ProcessBuilder pb = new ProcessBuilder(List.of("/usr/bin/bwrap", "--ro-bind", "/", "/", "--unshare-pid",
                "--die-with-parent", "--", "sleep", "60")).redirectErrorStream(true);
        Process[] started = new Process[1];
        Thread requester = Thread.ofPlatform().start(() -> {
            try {
                started[0] = launcher.start(pb);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        requester.join();
        Process sandbox = started[0];
        try {
            assertFalse(sandbox.waitFor(500, TimeUnit.MILLISECONDS), "the sandbox lives on after the requesting thread ended");
            launcher.close();
            assertTrue(sandbox.waitFor(10, TimeUnit.SECONDS), "closing the launcher ends its thread, and the sandbox with it");
        } finally {
            sandbox.destroyForcibly();
            launcher.close();
        }
    }
}
