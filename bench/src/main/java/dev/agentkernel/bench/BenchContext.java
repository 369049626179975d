package dev.agentkernel.bench;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.fakellm.FakeLlmServer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

/**
 * What every section shares: a kernel on the chosen backend ({@code local}, or {@code sandbox}: every runner under
 * bubblewrap in its own network namespace, reached through the kernel's port relay and reaching the LLM through its
 * egress proxy) on a private state directory, the scripted LLM server its agents talk to, the sample counts, and a
 * place for progress lines (kept off the table's stream).
 */
public final class BenchContext implements AutoCloseable {

    private static final String API_KEY = "bench-dummy-key";
    /** How long one spawn may take, ours or the peer's: fifty at once on two cores is minutes of CPU. */
    static final Duration SPAWN_TIMEOUT = Duration.ofSeconds(120);

    private final BenchOptions options;
    private final PrintStream progress;
    private final FakeLlmServer llm;
    private final Path stateDir;
    private final boolean ownsStateDir;
    private final AgentKernel kernel;

    public BenchContext(BenchOptions options, PrintStream progress) {
        this.options = options;
        this.progress = progress;
        try {
            this.ownsStateDir = options.stateDir() == null;
            this.stateDir = ownsStateDir ? Files.createTempDirectory("agentkernel-bench-") : options.stateDir();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary state directory for the benchmark", e);
        }
        this.llm = startLlm();
        try {
            this.kernel = AgentKernel.builder()
                    .backend(options.backend())
                    .plugin(new OpenClawPlugin())
                    .stateDir(stateDir)
                    // 20 JVMs starting at once on a small machine take a while; the default 30 s is for one.
                    .spawnTimeout(SPAWN_TIMEOUT)
                    .build();
            progress("kernel backend: " + kernel.backend() + ", state dir " + stateDir);
        } catch (RuntimeException e) {
            closeLlm();
            throw e;
        }
    }

    private static FakeLlmServer startLlm() {
        // The JDK HTTP server leaves Nagle on: each small SSE write after the first then waits for the client's
        // delayed ACK (~40 ms on a reused connection). A real provider does not stall like that, so the
        // first-token baseline must not either. Read once, when the server classes load: set it before.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        try {
            return FakeLlmServer.start(0);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the scripted LLM server: " + e.getMessage(), e);
        }
    }

    public BenchOptions options() { return options; }

    public AgentKernel kernel() { return kernel; }

    /** The benchmark's private state directory (agents, and the peer's temporary homes). */
    public Path stateDir() { return stateDir; }

    /** True when the agents run under bubblewrap: their runner JVM is a grandchild of the pid the kernel records. */
    public boolean sandboxed() { return options.sandboxed(); }

    /** The scripted server's Anthropic base URL (no trailing {@code /v1}). */
    public String llmBaseUrl() { return llm.anthropicBaseUrl(); }

    public String apiKey() { return API_KEY; }

    /**
     * The body of the latest Messages request the scripted server received (an agent's or the peer's turn), to
     * replay it straight to the server: the direct baseline then pays for the same conversation, system prompt and
     * tools as the turn it is compared with (the server's handling grows with the body: 44 ms at 400 messages).
     */
    public com.fasterxml.jackson.databind.JsonNode lastLlmRequestBody() {
        List<dev.agentkernel.fakellm.RecordedRequest> all = llm.requests();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).path().endsWith("/messages")) return all.get(i).body();
        }
        throw new IllegalStateException("the scripted LLM server has received no Messages request yet");
    }

    public void progress(String line) {
        progress.println("bench: " + line);
        progress.flush();
    }

    /** The spawn request every section uses: an openclaw agent on the scripted server, no team. */
    public SpawnRequest spawnRequest(String name) {
        return SpawnRequest.builder()
                .name(name)
                .agentType("openclaw")
                .spawnInfo(OpenClawSpawnInfo.builder()
                        .systemPrompt("You are a benchmark agent.")
                        .apiKey(API_KEY)
                        .baseUrl(llmBaseUrl())
                        .build())
                .build();
    }

    /** Spawns and waits until the agent answers {@code /health}. */
    public SpawnResult spawn(String name) {
        return await(kernel.spawner().spawn(spawnRequest(name)));
    }

    public void kill(String agentId) {
        await(kernel.spawner().kill(agentId));
    }

    /** Stops every agent of this kernel: sections call it on the way out, whatever happened. */
    public void killAll() {
        await(kernel.cleanup());
    }

    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) cause = cause.getCause();
            if (cause instanceof RuntimeException r) throw r;
            throw new IllegalStateException(cause.getMessage(), cause);
        }
    }

    @Override
    public void close() {
        try {
            kernel.close();
        } finally {
            closeLlm();
            if (ownsStateDir) {
                killStrays();
                deleteTree(stateDir);
            }
        }
    }

    /**
     * The kernel stops its agents on close; if it failed to, no runner may outlive the benchmark. Every
     * process mentioning this private state directory is one of ours.
     */
    private void killStrays() {
        String dir = stateDir.toString();
        List<ProcessHandle> strays = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(dir)).orElse(false))
                .toList();
        if (strays.isEmpty()) return;
        progress("killing " + strays.size() + " runner(s) the kernel left behind: "
                + strays.stream().map(ProcessHandle::pid).toList());
        strays.forEach(ProcessHandle::destroyForcibly);
    }

    private void closeLlm() {
        try {
            llm.close();
        } catch (Exception e) {
            progress("could not stop the scripted LLM server: " + e.getMessage());
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temp directory is harmless; the benchmark's result stands.
        }
    }
}
