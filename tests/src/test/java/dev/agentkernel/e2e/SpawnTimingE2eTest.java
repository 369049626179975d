package dev.agentkernel.e2e;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.CreateTeamRequest;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.fakellm.junit.FakeLlm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.agentkernel.e2e.E2e.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Spawn→ready through the real runner, sequential and concurrent, with generous bounds (2-core CI).
 * Prints the figures to the test output (target/surefire-reports/*-output.txt).
 */
@Timeout(180)
class SpawnTimingE2eTest {

    @FakeLlm FakeLlmServer llm;
    @Kernel AgentKernel kernel;

    @Test
    void spawnToReadyIsBoundedAndConcurrentSpawnsAllAnswer() {
        List<Long> sequential = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            SpawnResult r = spawn(kernel, "seq-" + i, llm);
            sequential.add((System.nanoTime() - t0) / 1_000_000);
            kernel.spawner().kill(r.agent().id()).join();
        }
        // The first spawn also trains the runner's class cache (an AOT cache on JDK 25+, else an AppCDS archive),
        // so later ones should not be slower than it by much.
        System.out.println("spawn->ready sequential ms: " + sequential);
        boolean aot = Runtime.version().feature() >= 25;
        try (var archives = java.nio.file.Files.list(kernel.stateDir().resolve("cds"))) {
            List<Path> cache = archives.filter(p -> p.toString().endsWith(aot ? ".aot" : ".jsa")).toList();
            assertEquals(1, cache.size(), "one trained class cache per runner jar: " + cache);
            SpawnResult withCache = spawn(kernel, "cached", llm);
            List<String> args = List.of(ProcessHandle.of(pid(kernel, withCache.agent().id())).orElseThrow()
                    .info().arguments().orElse(new String[0]));
            String flag = (aot ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + cache.getFirst();
            assertTrue(args.contains(flag), "runner maps the cache: " + args);
            kernel.spawner().kill(withCache.agent().id()).join();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (long ms : sequential) assertTrue(ms < 20_000, "spawn took " + ms + " ms");

        kernel.spawner().createTeam(new CreateTeamRequest("crowd", Map.of("cpu", 4))).join();
        long t0 = System.nanoTime();
        List<CompletableFuture<SpawnResult>> futures = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            futures.add(kernel.spawner().spawn(SpawnRequest.builder().name("par-" + i).teamId("crowd").spawnInfo(info(llm).build()).build()));
        }
        List<SpawnResult> results = futures.stream().map(CompletableFuture::join).toList();
        long allReady = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("spawn->ready 4 concurrent, all ready after ms: " + allReady);
        List<CompletableFuture<String>> answers = results.stream()
                .map(r -> kernel.agentClient().askAsync(r.agent().id(), r.nonce(), "hi " + r.agent().name())).toList();
        for (int i = 0; i < results.size(); i++) {
            assertEquals("Echo: hi " + results.get(i).agent().name(), answers.get(i).join());
        }
        List<Long> pids = new ArrayList<>();
        for (SpawnResult r : results) pids.addAll(tree(pid(kernel, r.agent().id())));
        kernel.cleanup().join();
        assertAllDead(pids);
    }
}
