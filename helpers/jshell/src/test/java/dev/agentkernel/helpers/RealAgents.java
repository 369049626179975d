package dev.agentkernel.helpers;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.fakellm.FakeLlmServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A real kernel (local backend, real runner processes) pointed at an in-process scripted LLM server. */
final class RealAgents implements AutoCloseable {
    final FakeLlmServer llm;
    final Path stateDir;
    final AgentKernel kernel;

    private RealAgents(FakeLlmServer llm, Path stateDir, AgentKernel kernel) {
        this.llm = llm;
        this.stateDir = stateDir;
        this.kernel = kernel;
    }

    static RealAgents start() throws IOException {
        assumeTrue(runnerBuilt(), "the runner is not built: " + System.getProperty("agentkernel.runner.jar"));
        FakeLlmServer llm = FakeLlmServer.start(0);
        Path stateDir = Files.createTempDirectory("ak-helpers-test");
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("LLM_API_KEY");          // agents must use the key useLlm gives them
        env.remove("OPENAI_API_KEY");
        env.remove("OPENCLAW_RUNNER_BIN");
        AgentKernel kernel = AgentKernel.builder().backend("local").plugin(new OpenClawPlugin())
                .stateDir(stateDir).hostEnv(env).build();
        Helpers.useLlm(llm.anthropicBaseUrl(), "test-key");
        return new RealAgents(llm, stateDir, kernel);
    }

    /** Whether the runner jar exists and holds the runner (not just a module skeleton). */
    static boolean runnerBuilt() {
        Path jar = Path.of(System.getProperty("agentkernel.runner.jar", "missing"));
        if (!Files.isRegularFile(jar)) return false;
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getEntry("dev/agentkernel/runner/RunnerMain.class") != null;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            kernel.close();
        } finally {
            llm.close();
            Helpers.useLlm(null, null);
            try (Stream<Path> files = Files.walk(stateDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
