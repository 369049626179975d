package dev.agentkernel.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.protocol.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.agentkernel.e2e.E2e.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Each runner class cache kind ({@code AGENTKERNEL_CLASS_CACHE}) through a real spawn: the runner says in {@code /info}
 * which cache its JVM mapped and answers a turn on each SDK path; a cache the JVM cannot map leaves the spawn working.
 * The AOT case trains the real cache (real turns through both SDKs, ~7 s idle, more under load).
 */
@Timeout(600)
class ClassCacheE2eTest {

    @TempDir Path tmp;

    @Test
    void aSpawnedRunnerReportsTheCacheItMappedAndAnswersWithEachKind() throws IOException {
        List<String> kinds = new ArrayList<>(List.of("cds", "none"));
        if (Runtime.version().feature() >= 25) kinds.addFirst("aot");
        try (FakeLlmServer llm = FakeLlmServer.start(0)) {
            for (String kind : kinds) {
                Path state = tmp.resolve("state-" + kind);
                try (AgentKernel kernel = E2e.kernel(state, Map.of("AGENTKERNEL_CLASS_CACHE", kind))) {
                    for (String provider : List.of("anthropic", "openai")) {
                        JsonNode info = spawnAndAsk(kernel, llm, kind + "-" + provider, provider);
                        assertEquals(kind, info.path(Protocol.INFO_CLASS_CACHE).asText(), kind + " via " + provider + ": " + info
                                + trainingLogs(state));
                        assertEquals(kind, info.path(Protocol.INFO_CLASS_CACHE_REQUESTED).asText(), info.toString());
                        assertEquals("turn", info.path(Protocol.INFO_WARM_UP).asText(), "the scripted warm-up turn ran: " + info);
                    }
                    kernel.cleanup().join();
                }
                List<String> caches = caches(state);
                switch (kind) {
                    case "aot" -> assertTrue(caches.size() == 1 && caches.getFirst().endsWith(".aot"), caches.toString());
                    case "cds" -> assertTrue(caches.size() == 1 && caches.getFirst().endsWith(".jsa"), caches.toString());
                    default -> assertEquals(List.of(), caches, "none: nothing trained");
                }
            }
        }
    }

    @Test
    void aCacheTheJvmCannotMapStillGivesAWorkingRunner() throws IOException {
        try (FakeLlmServer llm = FakeLlmServer.start(0)) {
            Path state = tmp.resolve("state");
            try (AgentKernel kernel = E2e.kernel(state, Map.of("AGENTKERNEL_CLASS_CACHE", "cds"))) {
                spawnAndAsk(kernel, llm, "trainer", "anthropic");
                // Corrupt the archive behind the kernel's back so that its size/mtime record still matches: only the
                // JVM can tell now, and it must start without the archive rather than fail the spawn.
                Path jsa = state.resolve("cds").resolve(caches(state).getFirst());
                Path ok = jsa.resolveSibling(jsa.getFileName() + ".ok");
                long size = Files.size(jsa);
                var mtime = Files.getLastModifiedTime(jsa);
                try (var ch = java.nio.channels.FileChannel.open(jsa, java.nio.file.StandardOpenOption.WRITE)) {
                    ch.write(java.nio.ByteBuffer.wrap(new byte[64]), 0); // the header's magic and CRC
                }
                Files.setLastModifiedTime(jsa, mtime);
                assertEquals(size + " " + mtime.toMillis(), Files.readString(ok).trim());
                JsonNode info = spawnAndAsk(kernel, llm, "after-corruption", "anthropic");
                assertEquals("none", info.path(Protocol.INFO_CLASS_CACHE).asText(), info.toString());
                assertEquals("cds", info.path(Protocol.INFO_CLASS_CACHE_REQUESTED).asText(), info.toString());
                kernel.cleanup().join();
            }
        }
    }

    private static JsonNode spawnAndAsk(AgentKernel kernel, FakeLlmServer llm, String name, String provider) {
        OpenClawSpawnInfo.Builder info = "openai".equals(provider)
                ? OpenClawSpawnInfo.builder().provider("openai").model("gpt-4o").apiKey(KEY).baseUrl(llm.openAiBaseUrl())
                : E2e.info(llm);
        SpawnResult r = kernel.spawner().spawn(SpawnRequest.builder().name(name).spawnInfo(info.build()).build()).join();
        assertEquals("Echo: hi " + name, kernel.agentClient().ask(r.agent().id(), r.nonce(), "hi " + name));
        JsonNode raw = kernel.agentClient().getInfo(r.agent().id()).join().raw();
        kernel.spawner().kill(r.agent().id()).join();
        return raw;
    }

    /** The output of failed trainings (the kernel keeps it next to the cache), for the failure message. */
    private static String trainingLogs(Path state) {
        try (Stream<Path> files = Files.list(state.resolve("cds"))) {
            StringBuilder out = new StringBuilder();
            for (Path log : files.filter(p -> p.toString().endsWith(".training.log")).toList()) {
                out.append("\n--- ").append(log.getFileName()).append(":\n").append(Files.readString(log));
            }
            return out.toString();
        } catch (IOException e) {
            return " (no training logs: " + e + ")";
        }
    }

    /** The finished caches in the state directory (no records, logs or temporary files). */
    private static List<String> caches(Path state) throws IOException {
        Path dir = state.resolve("cds");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".aot") || n.endsWith(".jsa")).sorted().toList();
        }
    }
}
