package dev.agentkernel.e2e;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.TurnFailedException;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.fakellm.junit.FakeLlm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 16.8: behind a corporate proxy. The LLM endpoint has a name only the proxy resolves ({@code llm.corp.test});
 * with {@code HTTP_PROXY} in the kernel's environment an agent reaches it, on the local backend (the runner's SDK
 * client uses the proxy, the tools get the variables) and in the sandbox's own network (the kernel's egress proxy
 * chains to the corporate one). Without the variable the same agent cannot reach its LLM, which is what a user
 * saw before.
 */
@Timeout(300)
class CorporateProxyE2eTest {
    static final String NAME = "llm.corp.test";
    @TempDir static Path tmp;
    @FakeLlm static FakeLlmServer llm;
    static CorporateProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = CorporateProxy.start(Map.of(NAME, "127.0.0.1"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) proxy.close();
    }

    private static AgentKernel kernel(String backend, String dir, Map<String, String> extraEnv) {
        Map<String, String> env = new HashMap<>(Map.of("PATH", System.getenv("PATH")));
        env.putAll(extraEnv);
        return AgentKernel.builder().backend(backend).plugin(new OpenClawPlugin()).stateDir(tmp.resolve(dir))
                .hostEnv(env).spawnTimeout(Duration.ofSeconds(60)).build();
    }

    private static SpawnResult spawn(AgentKernel kernel) {
        return kernel.spawner().spawn(SpawnRequest.builder().name("behind-proxy")
                .spawnInfo(OpenClawSpawnInfo.builder().apiKey("k").baseUrl("http://" + NAME + ":" + llm.port()).build()).build()).join();
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "sandbox"})
    void anAgentReachesAnLlmOnlyTheProxyCanResolve(String backend) throws Exception {
        try (AgentKernel kernel = kernel(backend, backend + "-proxied",
                Map.of("HTTP_PROXY", proxy.url(), "HTTPS_PROXY", proxy.url(), "NO_PROXY", "internal.corp"))) {
            SpawnResult agent = spawn(kernel);
            int before = proxy.targets.size();
            String answer = kernel.ask(agent.agent().id(), agent.nonce(), "hello through the proxy");
            assertTrue(answer.contains("hello through the proxy"), answer);
            assertTrue(proxy.targets.subList(before, proxy.targets.size()).contains(NAME + ":" + llm.port()),
                    "the turn went through the corporate proxy: " + proxy.targets);

            String reply = kernel.ask(agent.agent().id(), agent.nonce(), "[[bash: env | grep -i _proxy > proxy-env.txt; echo saved]]");
            assertTrue(reply.contains("saved"), reply);
            String toolEnv = Files.readString(E2e.agentDir(kernel, agent.agent().id()).resolve("workspace/proxy-env.txt"), StandardCharsets.UTF_8);
            if (backend.equals("local")) {
                assertTrue(toolEnv.contains("HTTP_PROXY=" + proxy.url()) && toolEnv.contains("NO_PROXY=internal.corp"),
                        "the tools get the kernel's proxy variables:\n" + toolEnv);
            } else {
                assertFalse(toolEnv.contains(proxy.url()), "in its own network a tool reaches only the kernel's egress proxy:\n" + toolEnv);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "sandbox"})
    void withoutTheProxyVariablesTheSameAgentCannotReachIt(String backend) {
        try (AgentKernel kernel = kernel(backend, backend + "-direct", Map.of())) {
            SpawnResult agent = spawn(kernel);
            TurnFailedException e = assertThrows(TurnFailedException.class,
                    () -> kernel.ask(agent.agent().id(), agent.nonce(), "hello"));
            // local: the runner's own connect fails; sandbox: the kernel's egress proxy cannot resolve the name and
            // answers the runner's request with 502
            assertTrue(backend.equals("local") ? e.getMessage().contains("cannot reach the anthropic API")
                    : e.getMessage().contains("HTTP 502"), e.getMessage());
        }
    }
}
