package dev.agentkernel.runner.owner;

import dev.agentkernel.runner.RunnerMain;
import dev.agentkernel.runner.RunnerProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** A runner must stop by itself when its owner is gone, however the owner died (issue 8). */
class OwnerWatchProcessTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final RunnerProcesses runners = new RunnerProcesses();

    private Process runner(String ownerFields) throws IOException {
        Process p = runners.launch(dir, "{\"agent_id\":\"a\",\"nonce\":\"n\",\"http_port\":0" + ownerFields + "}",
                RunnerProcesses.QUICK_START);
        String ready = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertNotNull(ready, "runner did not start: " + Files.readString(dir.resolve("runner.err")));
        assertTrue(ready.startsWith("runner ready"), ready);
        return p;
    }

    private Process sleeper() throws IOException {
        return runners.track(new ProcessBuilder("sleep", "60").start());
    }

    @Test
    void closingTheOwnersPipeStopsTheRunnerAtOnce() throws Exception {
        Process p = runner(",\"owner_pipe\":true");
        long t0 = System.nanoTime();
        p.getOutputStream().close();
        assertTrue(p.waitFor(2, TimeUnit.SECONDS), "runner still alive 2 s after its owner's pipe closed");
        assertEquals(0, p.exitValue());
        assertTrue(Files.readString(dir.resolve("runner.err")).contains("pipe closed"));
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 2000);
    }

    @Test
    void theOwnerPidDyingStopsTheRunner() throws Exception {
        Process owner = sleeper();
        long start = owner.info().startInstant().orElseThrow().toEpochMilli();
        Process p = runner(",\"owner_pid\":" + owner.pid() + ",\"owner_start_millis\":" + start);
        Thread.sleep(700);
        assertTrue(p.isAlive(), "the owner is alive, so must the runner be");
        owner.destroyForcibly().waitFor();
        assertTrue(p.waitFor(2, TimeUnit.SECONDS), "runner still alive 2 s after its owner died");
        assertTrue(Files.readString(dir.resolve("runner.err")).contains("pid " + owner.pid()));
    }

    @Test
    void aReusedPidWithAnotherStartTimeDoesNotKeepTheRunnerAlive() throws Exception {
        Process impostor = sleeper();
        long wrongStart = impostor.info().startInstant().orElseThrow().toEpochMilli() - 3_600_000;
        Process p = runner(",\"owner_pid\":" + impostor.pid() + ",\"owner_start_millis\":" + wrongStart);
        assertTrue(p.waitFor(2, TimeUnit.SECONDS), "a live process with another start time is not the owner");
    }

    @Test
    void aDetachedRunnerIgnoresItsStdin() throws Exception {
        Process p = runner("");
        p.getOutputStream().close();
        assertFalse(p.waitFor(1, TimeUnit.SECONDS), "without owner fields the runner must keep running");
    }
}
