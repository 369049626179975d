package dev.agentkernel.e2e;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.fakellm.junit.FakeLlm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.agentkernel.e2e.E2e.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@link Kernel} fixture: one kernel per test on its own temporary state dir, bound to the {@link FakeLlm}
 * server by the spawn info; after the test the kernel is closed, its runner is gone and the directory removed.
 */
@Timeout(120)
class KernelExtensionTest {
    static final List<Path> stateDirs = new ArrayList<>();
    static final List<Long> runners = new ArrayList<>();
    @FakeLlm static FakeLlmServer llm;
    @Kernel AgentKernel kernel;

    @Test
    void aKernelOnAFreshStateDirAnswersThroughTheScriptedLlm() {
        assertTrue(Files.isDirectory(kernel.stateDir().getParent()), "the fixture's temp dir exists during the test");
        assertFalse(stateDirs.contains(kernel.stateDir()), "a fresh state dir per test");
        stateDirs.add(kernel.stateDir());
        SpawnResult agent = spawn(kernel, "fixture", llm);
        assertEquals("Echo: hi", kernel.ask(agent.agent().id(), agent.nonce(), "hi"));
        runners.addAll(tree(pid(kernel, agent.agent().id())));
        // left running on purpose: closing it is the fixture's job
    }

    @Test
    void aSecondTestGetsItsOwnKernel() {
        assertFalse(stateDirs.contains(kernel.stateDir()), "a fresh state dir per test");
        stateDirs.add(kernel.stateDir());
        assertTrue(kernel.spawner().agents().isEmpty(), "nothing from the previous test");
    }

    @AfterAll
    static void everyKernelWasClosedAndItsDirectoryRemoved() {
        assertEquals(2, stateDirs.size());
        for (Path p : stateDirs) assertFalse(Files.exists(p.getParent()), "removed after its test: " + p);
        assertFalse(runners.isEmpty());
        assertAllDead(runners);
    }
}
