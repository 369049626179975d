package dev.agentkernel.e2e;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.fakellm.junit.FakeLlm;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 12 point 8 / issue 13 point 6: the model runs {@code env} through the bash tool and finds none of the
 * runner's secrets (the API keys the kernel forwards, the nonce), while a variable the user passed in
 * {@code SpawnRequest.env} is there. The output is saved in the workspace and read from the host, so no secret
 * passes through the conversation.
 */
@Timeout(300)
class ToolEnvironmentE2eTest {
    static final String HOST_LLM_KEY = "host-llm-key-5f1c9e2a";
    static final String HOST_OPENAI_KEY = "host-openai-key-77a0d3";
    static final String HOST_ANTHROPIC_KEY = "host-anthropic-key-9b2e";
    static final String SPAWN_KEY = "spawn-info-key-3c8d41";

    @TempDir static Path tmp;
    @FakeLlm static FakeLlmServer llm;

    private static AgentKernel kernel(String backend) {
        if (backend.equals("sandbox")) {
            assertTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")), "the sandbox backend needs bubblewrap: apt-get install -y bubblewrap");
        }
        return AgentKernel.builder().backend(backend).plugin(new OpenClawPlugin()).stateDir(tmp.resolve(backend))
                .hostEnv(Map.of("PATH", System.getenv("PATH"), "LLM_API_KEY", HOST_LLM_KEY, "OPENAI_API_KEY", HOST_OPENAI_KEY,
                        "ANTHROPIC_API_KEY", HOST_ANTHROPIC_KEY))
                .spawnTimeout(Duration.ofSeconds(60)).build();
    }

    /** The tool's environment as {@code env} prints it, written to a workspace file by a real turn. */
    private static String toolEnv(AgentKernel kernel, SpawnResult agent) throws Exception {
        String reply = kernel.ask(agent.agent().id(), agent.nonce(), "[[bash: env > tool-env.txt; echo saved]]");
        assertTrue(reply.contains("saved"), "the turn ran the bash tool: " + reply);
        return Files.readString(E2e.agentDir(kernel, agent.agent().id()).resolve("workspace/tool-env.txt"), StandardCharsets.UTF_8);
    }

    /** The runner process's own environment, from /proc (the java process, inside bwrap on the sandbox backend). */
    private static String runnerEnv(AgentKernel kernel, SpawnResult agent) throws Exception {
        long pid = E2e.pid(kernel, agent.agent().id());
        ProcessHandle runner = ProcessHandle.of(pid).orElseThrow();
        if (!runner.info().command().orElse("").endsWith("/java")) {
            runner = runner.descendants().filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
                    .findFirst().orElseThrow();
        }
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(runner.pid()), "environ")), StandardCharsets.UTF_8)
                .replace('\0', '\n');
    }

    private static void assertNoSecret(String env, SpawnResult agent) {
        for (String secret : new String[] {HOST_LLM_KEY, HOST_OPENAI_KEY, HOST_ANTHROPIC_KEY, SPAWN_KEY, agent.nonce()}) {
            assertFalse(env.contains(secret), "the tool can read a secret of the runner (" + secret.substring(0, 8) + "...):\n" + env);
        }
        for (String name : new String[] {"LLM_API_KEY=", "OPENAI_API_KEY=", "ANTHROPIC_API_KEY=", "AGENTKERNEL_NONCE="}) {
            assertFalse(env.contains(name), name + " is in the tool's environment:\n" + env);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "sandbox"})
    void envThroughTheBashToolShowsNoSecretOfTheRunnerButTheUsersOwnVariables(String backend) throws Exception {
        try (AgentKernel kernel = kernel(backend)) {
            SpawnResult anthropic = kernel.spawner().spawn(SpawnRequest.builder().name("envcheck")
                    .spawnInfo(OpenClawSpawnInfo.builder().apiKey(SPAWN_KEY).baseUrl(llm.anthropicBaseUrl()).build())
                    .env("USER_VISIBLE", "passed-by-the-user").build()).join();
            String env = toolEnv(kernel, anthropic);
            assertTrue(env.contains("USER_VISIBLE=passed-by-the-user"), "the user's own variable reaches the tool:\n" + env);
            assertTrue(env.contains("PATH="), env);
            assertNoSecret(env, anthropic);
            assertFalse(runnerEnv(kernel, anthropic).contains(HOST_OPENAI_KEY),
                    "the host's OpenAI key is not forwarded to an agent whose provider is anthropic");

            // an OpenAI agent gets the host's OpenAI key in its runner, still not in its tools; and a key the user
            // passed on purpose in SpawnRequest.env is theirs to have
            SpawnResult openai = kernel.spawner().spawn(SpawnRequest.builder().name("envcheck-openai")
                    .spawnInfo(OpenClawSpawnInfo.builder().provider("openai").model("gpt-test").apiKey(SPAWN_KEY)
                            .baseUrl(llm.openAiBaseUrl()).build())
                    .env("ANTHROPIC_API_KEY", "user-chose-to-share").build()).join();
            assertTrue(runnerEnv(kernel, openai).contains("OPENAI_API_KEY=" + HOST_OPENAI_KEY), "forwarded to an openai agent");
            String openaiEnv = toolEnv(kernel, openai);
            assertFalse(openaiEnv.contains(HOST_OPENAI_KEY), openaiEnv);
            assertFalse(openaiEnv.contains(openai.nonce()), openaiEnv);
            assertFalse(openaiEnv.contains(SPAWN_KEY), openaiEnv);
            assertTrue(openaiEnv.contains("ANTHROPIC_API_KEY=user-chose-to-share"), "kept: the user passed it\n" + openaiEnv);
        }
    }
}
