package dev.agentkernel.e2e;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.config.SandboxLimits;
import dev.agentkernel.config.SandboxSettings;
import dev.agentkernel.fakellm.FakeLlmServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.agentkernel.e2e.E2e.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 12 point 3: a sandboxed agent's processes, memory and /tmp are bounded. A fork loop and a memory hog (both
 * bounded: 500 processes, 800 MiB) end that agent's command with an error while another agent and the kernel answer;
 * the cgroups go when the agent is killed. Needs writable cgroups (root here and in CI); skipped with the reason where
 * the machine has none.
 */
@Timeout(300)
class SandboxLimitsE2eTest {
    @TempDir static Path tmp;
    static FakeLlmServer llm;
    static AgentKernel kernel;
    static SpawnResult hog;
    static SpawnResult bystander;
    static final SandboxLimits LIMITS = SandboxLimits.DEFAULTS.withPids(128).withMemory("512Mi").withTmp("64Mi");

    @BeforeAll
    static void start() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")), "needs bubblewrap");
        var where = dev.agentkernel.spawn.sandbox.Cgroup.detect();
        assumeTrue(!(where instanceof dev.agentkernel.spawn.sandbox.Cgroup.None), "no usable cgroups here: " + where);
        llm = FakeLlmServer.start(0);
        kernel = AgentKernel.builder().backend("sandbox").plugin(new OpenClawPlugin()).stateDir(tmp.resolve("state"))
                .sandbox(SandboxSettings.defaults().limits(LIMITS))
                .hostEnv(Map.of("PATH", System.getenv("PATH"))).spawnTimeout(Duration.ofSeconds(60)).build();
        hog = spawn(kernel, "hog", llm);
        bystander = spawn(kernel, "bystander", llm);
    }

    @AfterAll
    static void stop() {
        if (kernel != null) kernel.close();
        if (llm != null) llm.close();
    }

    static void assertOthersAnswer() {
        assertTrue(kernel.ask(bystander.agent().id(), bystander.nonce(), "still there?").contains("still there?"), "another agent answers");
        assertTrue(kernel.status().join().stream().anyMatch(s -> s.agentId().equals(hog.agent().id()) && s.live()),
                "the kernel answers, and the hog's runner lives on");
    }

    @Test
    void aForkLoopHitsThePidsLimit() {
        String out = SandboxE2eTest.bashOn(kernel, hog,
                "python3 -c \"import subprocess as s; ps=[s.Popen(['sleep','30']) for i in range(500)]; print('started', len(ps))\"");
        assertTrue(out.contains("Resource temporarily unavailable"), out);
        assertFalse(out.contains("started 500"), out);
        assertOthersAnswer();
    }

    @Test
    void aMemoryHogIsKilledByTheMemoryLimit() {
        String out = SandboxE2eTest.bashOn(kernel, hog,
                "python3 -c \"b = b'x' * (800 * 1024 * 1024); print('ALLOC' + 'ATED', len(b))\"; echo rc=$?");
        assertFalse(out.contains("ALLOCATED"), out);
        assertTrue(out.contains("rc=137") || out.contains("Killed") || out.contains("MemoryError"), out);
        assertOthersAnswer();
    }

    @Test
    void tmpIsBounded() {
        String out = SandboxE2eTest.bashOn(kernel, hog, "head -c 100M /dev/zero > /tmp/big; echo rc=$?; rm -f /tmp/big");
        assertTrue(out.contains("No space left on device"), out);
        assertTrue(out.contains("rc=1"), out);
    }

    /** The limits are the kernel's, memory overridden per spawn by its resources; the cgroups go with the agent. */
    @Test
    void perSpawnMemoryAndTheCgroupsGoWhenTheAgentIsKilled() throws Exception {
        SpawnResult big = kernel.spawner().spawn(SpawnRequest.builder().name("big").spawnInfo(info(llm).build())
                .resources(Map.of("memory", "768Mi", "cpu", "500m")).build()).join();
        String id = big.agent().id();
        List<Path> dirs = dev.agentkernel.spawn.sandbox.Cgroup.existing(dev.agentkernel.spawn.sandbox.Cgroup.detect(), id).dirs();
        assertFalse(dirs.isEmpty(), "the agent has cgroups");
        for (Path d : dirs) {
            if (Files.exists(d.resolve("memory.limit_in_bytes"))) assertEquals(768L << 20, Long.parseLong(Files.readString(d.resolve("memory.limit_in_bytes")).trim()));
            if (Files.exists(d.resolve("memory.max"))) assertEquals(768L << 20, Long.parseLong(Files.readString(d.resolve("memory.max")).trim()));
            if (Files.exists(d.resolve("pids.max"))) assertEquals("128", Files.readString(d.resolve("pids.max")).trim());
            if (Files.exists(d.resolve("cpu.cfs_quota_us"))) assertEquals("50000", Files.readString(d.resolve("cpu.cfs_quota_us")).trim());
            assertFalse(Files.readString(d.resolve("cgroup.procs")).isBlank(), "the sandbox runs in " + d);
        }
        kernel.spawner().kill(id).join();
        for (Path d : dirs) assertFalse(Files.exists(d), d + " is removed with the agent");
    }
}
