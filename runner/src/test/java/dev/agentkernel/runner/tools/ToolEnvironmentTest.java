package dev.agentkernel.runner.tools;

import dev.agentkernel.runner.model.Cancellation;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ToolEnvironmentTest {
    @TempDir
    Path workspace;

    private static final String NONCE = "nonce-0123456789abcdef";
    private static final String KEY = "sk-ant-secret-key-value";

    private static Map<String, String> runnerEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", "/home/agent");
        env.put("LLM_API_KEY", KEY);
        env.put("ANTHROPIC_API_KEY", "sk-ant-other");
        env.put("OPENAI_API_KEY", "sk-openai");
        env.put("AGENTKERNEL_NONCE", NONCE);
        env.put("MY_FORWARDED_COPY", "Bearer " + KEY); // a secret under another name
        env.put("USER_VAR", "kept");
        return env;
    }

    @Test
    void theRunnersSecretsAreRemovedByNameAndByValue() {
        Map<String, String> env = ToolEnvironment.of(runnerEnv(), List.of("USER_VAR"), List.of(NONCE, KEY), Map.of("HTTP_PROXY", "http://p")).variables();
        assertEquals(Map.of("PATH", "/usr/bin:/bin", "HOME", "/home/agent", "USER_VAR", "kept", "HTTP_PROXY", "http://p"), env);
    }

    @Test
    void whatTheUserPassedInSpawnRequestEnvIsKeptEvenUnderASecretsName() {
        Map<String, String> env = ToolEnvironment.of(runnerEnv(), List.of("OPENAI_API_KEY"), List.of(NONCE, KEY), Map.of()).variables();
        assertEquals("sk-openai", env.get("OPENAI_API_KEY"), "the user asked for the agent's tools to have it");
        assertFalse(env.containsKey("LLM_API_KEY"));
        assertFalse(env.containsKey("AGENTKERNEL_NONCE"));
    }

    @Test
    void bashSeesTheScrubbedEnvironmentOnly() {
        Map<String, String> runner = new LinkedHashMap<>(System.getenv());
        runner.put("LLM_API_KEY", KEY);
        runner.put("AGENTKERNEL_NONCE", NONCE);
        runner.put("USER_VAR", "from-the-user");
        ToolEnvironment env = ToolEnvironment.of(runner, List.of("USER_VAR"), List.of(NONCE, KEY), Map.of("EXTRA_VAR", "x"));
        try (BashTool bash = new BashTool(workspace, Duration.ofSeconds(20), 64 * 1024, env)) {
            ToolResult r = bash.run(JsonNodeFactory.instance.objectNode().put("command", "env"), new Cancellation());
            assertFalse(r.isError(), r.output());
            assertTrue(r.output().contains("USER_VAR=from-the-user"), r.output());
            assertTrue(r.output().contains("EXTRA_VAR=x"), r.output());
            assertFalse(r.output().contains(KEY), r.output());
            assertFalse(r.output().contains(NONCE), r.output());
            assertFalse(r.output().contains("LLM_API_KEY"), r.output());
        }
    }
}
