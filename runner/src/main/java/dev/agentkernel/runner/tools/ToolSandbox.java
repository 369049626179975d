package dev.agentkernel.runner.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs each tool command in a nested bubblewrap sandbox inside the runner's (docs/sandbox.md, "The runner's record").
 *
 * <p>Why: the runner appends to {@code history.jsonl} and {@code agentbus.jsonl}, so its mounts must have them
 * writable; the agent's commands must not be able to rewrite them (a red-team pass erased its audit log and forged a
 * user message into its history). The nested sandbox
 * <ul>
 *   <li>hides the agent directory (config with nonce and key, both logs, the kernel's files) under an empty
 *       read-only tmpfs, and puts the workspace back: no path, hard link or symlink leads to the logs;</li>
 *   <li>has a pid namespace of its own with a fresh {@code /proc}: the runner is not there, so neither
 *       {@code /proc/<runner>/fd/N} nor {@code /proc/<runner>/root} can reach its open files or its mounts;</li>
 *   <li>makes {@code /proc/sys} and the other {@code /proc} files that write through to the host read-only, and runs
 *       in a user namespace of its own that may not create further ones ({@code --disable-userns});</li>
 *   <li>keeps the runner's network namespace (the egress proxy on loopback) and its bounded {@code /tmp}.</li>
 * </ul>
 * The price: a background job ends with the command that started it (its pid namespace ends with it).
 */
public final class ToolSandbox implements ToolLauncher {
    /** Files of /proc that change the host kernel when written: covered read-only (bwrap covers them only when writable at setup). */
    static final List<String> PROC_COVERS = List.of("/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus",
            "/proc/fs", "/proc/acpi", "/proc/scsi");

    private final List<String> prefix;

    ToolSandbox(List<String> prefix) {
        this.prefix = List.copyOf(prefix);
    }

    /**
     * The launcher for a runner whose environment has {@code dev.agentkernel.protocol.sandbox.ToolSandboxEnv.ENV}
     * (set by the sandbox backend), else {@link ToolLauncher#DIRECT}.
     */
    public static ToolLauncher fromEnv(Map<String, String> env, Path workspace, Path stateDir, Path relayDir) {
        String bwrap = env.get(dev.agentkernel.protocol.sandbox.ToolSandboxEnv.ENV);
        if (bwrap == null || bwrap.isBlank()) return DIRECT;
        return of(Path.of(bwrap), workspace, stateDir, relayDir);
    }

    /** The nested sandbox for a runner with these paths, started with {@code bwrap}. */
    public static ToolSandbox of(Path bwrap, Path workspace, Path stateDir, Path relayDir) {
        List<String> a = new ArrayList<>();
        a.add(bwrap.toString());
        a.addAll(List.of("--bind", "/", "/", "--proc", "/proc"));
        for (String cover : PROC_COVERS) a.addAll(List.of("--ro-bind-try", cover, cover));
        a.addAll(List.of("--dev", "/dev"));
        String ws = workspace.toAbsolutePath().normalize().toString();
        Path state = stateDir.toAbsolutePath().normalize();
        if (workspace.toAbsolutePath().normalize().startsWith(state)) {
            a.addAll(List.of("--tmpfs", state.toString(), "--bind", ws, ws, "--remount-ro", state.toString()));
        } else {
            a.addAll(List.of("--tmpfs", state.toString(), "--remount-ro", state.toString()));
        }
        if (relayDir != null && Files.isDirectory(relayDir)) {
            // Connecting still works (a socket on a read-only mount is still a socket); replacing one does not.
            String r = relayDir.toAbsolutePath().normalize().toString();
            a.addAll(List.of("--ro-bind", r, r));
        }
        a.addAll(List.of("--unshare-user", "--disable-userns", "--unshare-pid", "--die-with-parent", "--cap-drop", "ALL",
                "--chdir", ws, "--"));
        return new ToolSandbox(a);
    }

    @Override
    public List<String> command(List<String> command) {
        List<String> out = new ArrayList<>(prefix.size() + command.size());
        out.addAll(prefix);
        out.addAll(command);
        return out;
    }

    @Override
    public String toString() { return "nested bwrap " + prefix; }
}
