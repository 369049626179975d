package dev.agentkernel.cli;

import dev.agentkernel.mcp.AgentKernelMcp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * A Model Context Protocol server on stdin/stdout for LLM hosts (Claude Code, Claude Desktop, Cursor): one JShell
 * session with the helpers, tools run_helpers / spawn_agent / ask_agent / agent_status / kill_agent. stdout is the
 * protocol: this command prints nothing else there (its errors go to stderr).
 */
@Command(name = "mcp", mixinStandardHelpOptions = true,
        description = {"Serve MCP over stdio: run <helpers> blocks and drive agents from an LLM host.",
                "Register it: claude mcp add agentkernel -- /path/to/bin/agentkernel mcp"})
final class McpCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE",
            description = "agentkernel.yaml for the tools' kernel (another backend: sandbox, kubernetes); default local.")
    Path config;

    @Override
    public Integer call() {
        if (config != null && !Files.isRegularFile(config)) {
            throw new IllegalArgumentException("--config " + config + " is not a file; pass the path of an agentkernel.yaml");
        }
        return AgentKernelMcp.run(config);
    }
}
