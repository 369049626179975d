package dev.agentkernel.e2e;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.spawn.local.AgentRecord;
import dev.agentkernel.spawn.local.LocalBackend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Shared helpers of the end-to-end tests: the real runner (jar from surefire) and the scripted LLM server. */
final class E2e {
    static final String KEY = "test-key";

    private E2e() {}

    /** A kernel whose host env is empty except {@code env}, so this machine's keys never leak into a test. */
    static AgentKernel kernel(Path stateDir, Map<String, String> env) {
        return AgentKernel.builder().plugin(new OpenClawPlugin()).stateDir(stateDir).hostEnv(env)
                .spawnTimeout(Duration.ofSeconds(60)).build();
    }

    static OpenClawSpawnInfo.Builder info(FakeLlmServer llm) {
        return OpenClawSpawnInfo.builder().systemPrompt("You are a test agent.").apiKey(KEY).baseUrl(llm.anthropicBaseUrl());
    }

    static SpawnResult spawn(AgentKernel kernel, String name, FakeLlmServer llm) {
        return kernel.spawner().spawn(SpawnRequest.builder().name(name).spawnInfo(info(llm).build()).build()).join();
    }

    static Path agentDir(AgentKernel kernel, String agentId) {
        return kernel.stateDir().resolve("agents").resolve(agentId);
    }

    static AgentRecord record(AgentKernel kernel, String agentId) throws IOException {
        return new dev.agentkernel.spawn.local.AgentDir(agentDir(kernel, agentId)).readRecord();
    }

    static long pid(AgentKernel kernel, String agentId) {
        return ((LocalBackend) kernel.spawner()).pid(agentId).orElseThrow();
    }

    /** Alive and not a zombie (an exited orphan may wait seconds for PID 1 to reap it). */
    static boolean alive(long pid) {
        return dev.agentkernel.spawn.local.ProcessTreeKill.running(pid);
    }

    /** The runner and everything below it, for asserting nothing survives. */
    static List<Long> tree(long pid) {
        List<Long> out = new ArrayList<>();
        out.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> out.add(d.pid())));
        return out;
    }

    static void assertAllDead(List<Long> pids) {
        waitUntil(Duration.ofSeconds(10), () -> pids.stream().noneMatch(E2e::alive));
        for (long p : pids) assertFalse(alive(p), "process " + p + " is still alive");
    }

    static Throwable cause(Runnable r) {
        CompletionException e = assertThrows(CompletionException.class, r::run);
        return e.getCause();
    }

    static boolean waitUntil(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return true;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }

    static Path script(Path dir, String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    static Path runnerJar() {
        return Path.of(System.getProperty("agentkernel.runner.jar"));
    }

    static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    static List<Path> agentDirs(Path stateDir) throws IOException {
        Path agents = stateDir.resolve("agents");
        if (!Files.isDirectory(agents)) return List.of();
        try (Stream<Path> s = Files.list(agents)) {
            return s.toList();
        }
    }
}
