package dev.agentkernel.runner;

import dev.agentkernel.runner.model.BadConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class RunnerSettingsTest {
    @TempDir
    Path dir;

    private RunnerSettings load(String json, Map<String, String> env) throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        return RunnerSettings.load(file, env);
    }

    private String error(String json) {
        return assertThrows(BadConfigException.class, () -> load(json, Map.of())).getMessage();
    }

    @Test
    void defaultsAreAppliedBesideTheConfigFile() throws Exception {
        RunnerSettings s = load("{\"agent_id\":\"a1\",\"nonce\":\"n\",\"http_port\":0}", Map.of());
        assertEquals("a1", s.name());
        assertEquals("anthropic", s.provider());
        assertEquals("claude-sonnet-4-5", s.model());
        assertEquals(List.of("bash"), s.tools());
        assertEquals("none", s.thinkingLevel());
        assertEquals("127.0.0.1", s.bindAddress());
        assertEquals(dir.resolve("workspace").toAbsolutePath(), s.workspace());
        assertEquals(dir.toAbsolutePath(), s.stateDir());
        assertEquals(20, s.maxToolRounds());
        assertEquals(120, s.bashTimeoutSeconds());
        assertEquals("", s.apiKey());
    }

    @Test
    void explicitFieldsWin() throws Exception {
        RunnerSettings s = load("""
                {"agent_id":"a1","nonce":"n","http_port":9000,"provider":"OpenAI","workspace":"/tmp/ws","state_dir":"st",
                 "bind_address":"0.0.0.0","max_tool_rounds":3,"bash_timeout_seconds":7,"thinking_level":"High","api_key":" k "}""", Map.of());
        assertEquals("openai", s.provider());
        assertEquals("gpt-4o-mini", s.model());
        assertEquals(Path.of("/tmp/ws"), s.workspace());
        assertEquals(dir.resolve("st").toAbsolutePath(), s.stateDir());
        assertEquals("0.0.0.0", s.bindAddress());
        assertEquals(9000, s.httpPort());
        assertEquals(3, s.maxToolRounds());
        assertEquals(7, s.bashTimeoutSeconds());
        assertEquals("high", s.thinkingLevel());
        assertEquals("k", s.apiKey());
    }

    @Test
    void theApiKeyFallsBackToTheEnvironment() throws Exception {
        String base = "{\"agent_id\":\"a\",\"nonce\":\"n\",\"http_port\":0";
        assertEquals("e1", load(base + "}", Map.of("LLM_API_KEY", "e1", "ANTHROPIC_API_KEY", "e2")).apiKey());
        assertEquals("e2", load(base + "}", Map.of("ANTHROPIC_API_KEY", "e2")).apiKey());
        assertEquals("o", load(base + ",\"provider\":\"openai\"}", Map.of("OPENAI_API_KEY", "o", "ANTHROPIC_API_KEY", "x")).apiKey());
        assertEquals("c", load(base + ",\"api_key\":\"c\"}", Map.of("LLM_API_KEY", "e1")).apiKey());
    }

    @Test
    void aPodsNonceComesFromTheEnvironmentWhenTheFileHasNone() throws Exception {
        String noNonce = "{\"agent_id\":\"a\",\"http_port\":0}";
        assertEquals("from-secret", load(noNonce, Map.of("AGENTKERNEL_NONCE", "from-secret")).nonce());
        assertEquals("file", load("{\"agent_id\":\"a\",\"nonce\":\"file\",\"http_port\":0}",
                Map.of("AGENTKERNEL_NONCE", "env")).nonce(), "the file wins");
        assertTrue(error(noNonce).contains("AGENTKERNEL_NONCE"));
    }

    @Test
    void ownerFieldsAreCarriedAndAbsentMeansUnwatched() throws Exception {
        String base = "{\"agent_id\":\"a\",\"nonce\":\"n\",\"http_port\":0";
        assertFalse(load(base + "}", Map.of()).owner().watched());
        RunnerSettings.Owner o = load(base + ",\"owner_pid\":42,\"owner_start_millis\":7,\"owner_pipe\":true}", Map.of()).owner();
        assertEquals(new RunnerSettings.Owner(42, 7L, true), o);
    }

    @Test
    void missingRequiredFieldsAreNamed() {
        assertTrue(error("{\"nonce\":\"n\",\"http_port\":1}").contains("missing required field agent_id"));
        assertTrue(error("{\"agent_id\":\"a\",\"http_port\":1}").contains("missing required field nonce"));
        assertTrue(error("{\"agent_id\":\"a\",\"nonce\":\" \",\"http_port\":1}").contains("missing required field nonce"));
        assertTrue(error("{\"agent_id\":\"a\",\"nonce\":\"n\"}").contains("missing required field http_port"));
        assertTrue(error("{\"agent_id\":\"a\",\"nonce\":\"n\",\"http_port\":70000}").contains("out of range"));
    }

    @Test
    void badValuesAreRefusedWithTheFix() {
        String base = "{\"agent_id\":\"a\",\"nonce\":\"n\",\"http_port\":0,";
        String tools = error(base + "\"tools\":[\"bash\",\"browser\"]}");
        assertTrue(tools.contains("unknown tool 'browser'") && tools.contains("[bash]"), tools);
        assertTrue(error(base + "\"max_tool_rounds\":-1}").contains("max_tool_rounds"));
        assertTrue(error(base + "\"bash_timeout_seconds\":0}").contains("bash_timeout_seconds"));
        for (String url : new String[] {"/v1", "localhost:11434", "ftp://x/y", "http://"}) {
            String e = error(base + "\"base_url\":\"" + url + "\"}");
            assertTrue(e.contains("base_url '" + url + "' is not an absolute http(s) URL"), e);
        }
    }

    @Test
    void relayDirIsAbsentByDefaultAndResolvedWhenGiven() throws Exception {
        String base = "{\"agent_id\":\"a\",\"nonce\":\"n\",\"http_port\":0";
        assertNull(load(base + "}", Map.of()).relayDir());
        Files.createDirectories(dir.resolve("relay"));
        assertEquals(dir.resolve("relay").toAbsolutePath(), load(base + ",\"relay_dir\":\"relay\"}", Map.of()).relayDir());
    }

    @Test
    void aRelayDirThatIsNoDirectoryOrTooLongIsRefusedWithTheFix() throws Exception {
        String base = "{\"agent_id\":\"a\",\"nonce\":\"n\",\"http_port\":0,";
        String missing = error(base + "\"relay_dir\":\"" + dir.resolve("nope") + "\"}");
        assertTrue(missing.contains("config relay_dir '" + dir.resolve("nope") + "' is not an existing directory"), missing);
        assertTrue(missing.contains("leave relay_dir out"), missing);
        Files.writeString(dir.resolve("a-file"), "x");
        assertTrue(error(base + "\"relay_dir\":\"" + dir.resolve("a-file") + "\"}").contains("is not an existing directory"));
        Path deep = Files.createDirectories(dir.resolve("d".repeat(120)));
        String tooLong = error(base + "\"relay_dir\":\"" + deep + "\"}");
        assertTrue(tooLong.contains("relay_dir") && tooLong.contains("too long for a Unix socket path"), tooLong);
    }

    @Test
    void unreadableFilesAreExplained() {
        assertTrue(error("{not json").contains("is not a usable runner config: it is not valid JSON"));
        assertTrue(error("[1]").contains("must be a JSON object"));
        assertTrue(error("{\"agent_id\":\"a\",\"nonce\":\"n\",\"http_port\":\"x\"}").contains("field http_port must be an integer"));
        assertTrue(error("{\"agent_id\":\"a\",\"nonce\":\"n\",\"http_port\":1,\"tools\":\"bash\"}").contains("field tools must be a list of strings"));
        assertTrue(error("").contains("empty"));
        assertTrue(assertThrows(BadConfigException.class, () -> RunnerSettings.load(dir.resolve("nope.json"), Map.of()))
                .getMessage().contains("does not exist"));
    }

    @Test
    void secretsNeverAppearInToString() throws Exception {
        RunnerSettings s = load("{\"agent_id\":\"a\",\"nonce\":\"secret-nonce\",\"http_port\":0,\"api_key\":\"sk-secret\"}", Map.of());
        assertFalse(s.toString().contains("secret-nonce"));
        assertFalse(s.toString().contains("sk-secret"));
    }

    @Test
    void usageIsExplainedWithoutConfigArgument() {
        assertTrue(assertThrows(BadConfigException.class, () -> RunnerMain.configPath(new String[0])).getMessage().contains("--config"));
        assertDoesNotThrow(() -> RunnerMain.configPath(new String[] {"--config=/x"}));
    }
}
