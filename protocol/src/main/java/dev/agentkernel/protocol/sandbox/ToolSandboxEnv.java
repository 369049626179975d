package dev.agentkernel.protocol.sandbox;

/**
 * The kernel's word to a sandboxed runner that its tools must run in a nested sandbox of their own
 * (docs/sandbox.md, "The runner's record"). The sandbox backend sets {@link #ENV} in the runner's
 * environment to the path of {@code bwrap} inside the sandbox; the runner then starts every tool command
 * through it, in a mount namespace where the agent directory (config, history, AgentBus log) is hidden
 * and a pid namespace where the runner cannot be seen.
 */
public final class ToolSandboxEnv {
    /** Path of {@code bwrap} as the runner sees it; unset outside the sandbox backend. */
    public static final String ENV = "AGENTKERNEL_TOOL_SANDBOX";

    private ToolSandboxEnv() {}
}
