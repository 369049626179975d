package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/agentkernel mcp} driven by a client nobody here wrote: the official MCP inspector's CLI from npm
 * ({@code @modelcontextprotocol/inspector --cli}). scripts/test.sh installs it into ~/.cache/agentkernel/npm and names
 * it in AGENTKERNEL_MCP_INSPECTOR; without that, {@code npx -y} fetches it; without npm the test is skipped, saying so.
 */
class McpInspectorIT {
    static Path repo;
    static List<String> inspector;

    @TempDir Path home;

    @BeforeAll
    static void findInspector() throws IOException {
        repo = Path.of(System.getProperty("agentkernel.repo", "..")).toRealPath();
        String installed = System.getenv("AGENTKERNEL_MCP_INSPECTOR");
        Path cached = Path.of(System.getProperty("user.home"), ".cache/agentkernel/npm/node_modules/.bin/mcp-inspector");
        if (installed != null && Files.isExecutable(Path.of(installed))) inspector = List.of(installed, "--cli");
        else if (Files.isExecutable(cached)) inspector = List.of(cached.toString(), "--cli");
        else if (onPath("npx")) inspector = List.of("npx", "-y", "@modelcontextprotocol/inspector", "--cli");
        Assumptions.assumeTrue(inspector != null, "SKIPPED: npm/npx is not installed, so the MCP inspector CLI cannot run;"
                + " install Node.js (apt-get install npm) and run scripts/test.sh, which installs @modelcontextprotocol/inspector");
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    /** One inspector run: it starts bin/agentkernel mcp, does one method, prints the JSON result, and ends the server. */
    private JsonNode inspect(String... methodArgs) throws Exception {
        List<String> cmd = new ArrayList<>(inspector);
        // the inspector gives the server only a few variables of its own environment (PATH, HOME, ...): name ours
        cmd.addAll(List.of("-e", "AGENTKERNEL_HOME=" + home, "-e", "AGENTKERNEL_NO_BUILD=1",
                "-e", "JAVA_HOME=" + System.getProperty("java.home"),
                "-e", "AGENTKERNEL_RUNNER_JAR=" + repo.resolve("runner/target/agentkernel-runner.jar")));
        cmd.add(repo.resolve("bin/agentkernel").toString());
        cmd.add("mcp");
        cmd.addAll(List.of(methodArgs));
        Path out = Files.createTempFile(home, "inspector-out", ".json");
        Path err = Files.createTempFile(home, "inspector-err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish in 180 s: " + Files.readString(err));
        }
        String text = Files.readString(out);
        assertEquals(0, p.exitValue(), "inspector failed: " + text + Files.readString(err));
        return new ObjectMapper().readTree(text);
    }

    @Test
    void theInspectorListsToolsAndResourcesAndRunsSpawnAskKill() throws Exception {
        long t0 = System.nanoTime();
        JsonNode tools = inspect("--method", "tools/list");
        long listMs = (System.nanoTime() - t0) / 1_000_000;
        List<String> names = new ArrayList<>();
        tools.path("tools").forEach(t -> names.add(t.path("name").asText()));
        assertTrue(names.containsAll(List.of("run_helpers", "spawn_agent", "ask_agent", "agent_status", "kill_agent")), names.toString());

        JsonNode resources = inspect("--method", "resources/list");
        assertEquals("agentkernel://skill", resources.path("resources").get(0).path("uri").asText(), resources.toString());
        JsonNode templates = inspect("--method", "resources/templates/list");
        assertTrue(templates.toString().contains("agentkernel://agents/{agent}/history"), templates.toString());

        String cell = "<helpers>\nscriptedLlm();\nvar kernel = localKernel();\n"
                + "var r = spawn(kernel, \"researcher\", openclaw(\"You are a researcher.\"));\n"
                + "System.out.println(ask(kernel, r, \"[[reply: inspected]]\"));\n"
                + "kill(kernel, r);\nkernel.spawner().agents().size()\n</helpers>";
        long t1 = System.nanoTime();
        JsonNode called = inspect("--method", "tools/call", "--tool-name", "run_helpers", "--tool-arg", "code=" + cell);
        long callMs = (System.nanoTime() - t1) / 1_000_000;
        String text = called.path("content").get(0).path("text").asText();
        assertFalse(called.path("isError").asBoolean(), called.toString());
        assertTrue(text.contains("inspected"), text);
        assertTrue(text.contains("=> 0"), "the agent is gone after kill: " + text);
        System.err.printf("MEASURED inspector: tools/list (server start included) %d ms; spawn+ask+kill in one run_helpers"
                + " (server start included) %d ms%n", listMs, callMs);
    }
}
