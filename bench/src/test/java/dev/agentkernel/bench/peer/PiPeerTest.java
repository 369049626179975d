package dev.agentkernel.bench.peer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.protocol.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PiPeerTest {

    @TempDir Path tmp;

    @Test
    void modelsJsonPointsTheProviderAtTheScriptedServerWithTheAnthropicApi() throws Exception {
        JsonNode root = Protocol.json().readTree(PiPeer.modelsJson("http://127.0.0.1:4321"));
        JsonNode provider = root.path("providers").path(PiPeer.PROVIDER);
        assertEquals("http://127.0.0.1:4321", provider.path("baseUrl").asText());
        assertEquals("anthropic-messages", provider.path("api").asText());
        assertFalse(provider.path("apiKey").asText().isEmpty(), "pi refuses a provider without a key");
        JsonNode model = provider.path("models").get(0);
        assertEquals(PiPeer.MODEL, model.path("id").asText());
        assertEquals("text", model.path("input").get(0).asText());
        assertTrue(model.path("maxTokens").asInt() > 0);
    }

    @Test
    void homeHoldsModelsJsonWherePiCodingAgentDirPoints() throws Exception {
        PiPeer.Home home = PiPeer.writeHome(tmp, "http://127.0.0.1:1");
        Map<String, String> env = PiPeer.environment(home, Map.of("PATH", "/usr/bin", "LLM_API_KEY", "secret", "HOME", "/root"));
        assertEquals(home.dir().toString(), env.get("HOME"), "a temporary HOME, never the user's");
        Path models = Path.of(env.get("PI_CODING_AGENT_DIR")).resolve("models.json");
        assertTrue(Files.isRegularFile(models));
        assertEquals(PiPeer.modelsJson("http://127.0.0.1:1"), Files.readString(models));
        assertEquals("1", env.get("PI_OFFLINE"));
        assertEquals("0", env.get("PI_TELEMETRY"));
        assertEquals("/usr/bin", env.get("PATH"));
        assertFalse(env.containsKey("LLM_API_KEY"), "nothing else of the host environment: " + env);
    }

    @Test
    void commandsCarryTheFairFlagsAndTheProvider() {
        PiPeer pi = new PiPeer(Path.of("/opt/pi/cli.js"), "node");
        PiPeer.Home home = new PiPeer.Home(tmp);
        List<String> rpc = pi.rpcCommand(home);
        assertEquals(List.of("node", "/opt/pi/cli.js", "--mode", "rpc"), rpc.subList(0, 4));
        for (String flag : List.of("--offline", "--no-context-files", "--no-skills", "--no-extensions", "--no-prompt-templates")) {
            assertTrue(rpc.contains(flag), flag + " in " + rpc);
        }
        assertEquals("bash", rpc.get(rpc.indexOf("--tools") + 1));
        assertEquals(PiPeer.PROVIDER, rpc.get(rpc.indexOf("--provider") + 1));
        assertEquals(PiPeer.MODEL, rpc.get(rpc.indexOf("--model") + 1));
        assertEquals(home.sessions().toString(), rpc.get(rpc.indexOf("--session-dir") + 1));
        List<String> oneShot = pi.oneShotCommand(home, "hello");
        assertEquals(List.of("-p", "hello"), oneShot.subList(2, 4));
        assertTrue(oneShot.containsAll(PiPeer.FAIR_FLAGS));
    }

    @Test
    void installedFindsTheCliOnlyWhenItExists() throws Exception {
        assertTrue(PiPeer.installed(tmp).isEmpty());
        Path cli = PiPeer.cliIn(PiPeer.installDir(tmp));
        Files.createDirectories(cli.getParent());
        Files.writeString(cli, "// pi");
        assertEquals(cli, PiPeer.installed(tmp).orElseThrow().cli());
    }

    @Test
    void cacheDirFollowsTheOverrideThenXdgThenHome() {
        assertEquals(Path.of("/x/peers"), PiPeer.cacheDir(Map.of(PiPeer.CACHE_ENV, "/x/peers", "HOME", "/h")));
        assertEquals(Path.of("/xdg/agentkernel/peers"), PiPeer.cacheDir(Map.of("XDG_CACHE_HOME", "/xdg", "HOME", "/h")));
        assertEquals(Path.of("/h/.cache/agentkernel/peers"), PiPeer.cacheDir(Map.of("HOME", "/h")));
    }

    @Test
    void anUnreachableRegistryIsSaidPlainly() {
        String msg = PiPeer.installFailure(1, "npm error code ENOTFOUND\nnpm error network request to https://registry.npmjs.org/x failed\n");
        assertTrue(msg.startsWith("the npm registry is unreachable"), msg);
        assertTrue(msg.contains("run without --peer"), msg);
        String other = PiPeer.installFailure(1, "npm error code E404\nnpm error 404 Not Found\n");
        assertTrue(other.startsWith("npm install " + PiPeer.PACKAGE), other);
        assertTrue(other.contains("E404"), other);
    }
}
