package dev.agentkernel.runner.tools;

import dev.agentkernel.runner.model.ToolSpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.runner.model.Cancellation;
import dev.agentkernel.runner.model.TurnCancelledException;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code bash -c COMMAND} in the agent's workspace: stdout and stderr merged, capped, with the exit code.
 * The command runs in its own process group, killed on timeout, on cancel and at runner shutdown.
 */
public final class BashTool implements Tool {
    public static final String NAME = "bash";
    public static final int DEFAULT_OUTPUT_CAP = 64 * 1024;
    /** How long to keep reading after bash exited, for output still in flight from its children. */
    private static final Duration PIPE_GRACE = Duration.ofMillis(500);

    private final Path workspace;
    private final Duration timeout;
    private final int outputCap;
    /** The whole environment of every command: the runner's, without its secrets, plus e.g. the relay's proxy. */
    private final ToolEnvironment environment;
    /** Where the command runs: as is, or in the sandbox backend's nested tool sandbox. */
    private final ToolLauncher launcher;
    /** Groups of commands whose background children may still be alive; killed on close. */
    private final Set<Long> groups = ConcurrentHashMap.newKeySet();
    /**
     * Made once: the providers convert each spec to their SDK's tool type once per spec object, so a new
     * object per model call would be converted again on every call.
     */
    private final ToolSpec spec;

    public BashTool(Path workspace, Duration timeout, int outputCap) {
        this(workspace, timeout, outputCap, Map.of());
    }

    /** @param extraEnv variables added to (or overriding) the runner's scrubbed environment for each command */
    public BashTool(Path workspace, Duration timeout, int outputCap, Map<String, String> extraEnv) {
        this(workspace, timeout, outputCap, ToolEnvironment.inherit(extraEnv));
    }

    public BashTool(Path workspace, Duration timeout, int outputCap, ToolEnvironment environment) {
        this(workspace, timeout, outputCap, environment, ToolLauncher.DIRECT);
    }

    /** @param launcher turns {@code bash -c COMMAND} into the process to start (see {@link ToolSandbox}) */
    public BashTool(Path workspace, Duration timeout, int outputCap, ToolEnvironment environment, ToolLauncher launcher) {
        this.launcher = launcher;
        this.workspace = workspace;
        this.timeout = timeout;
        this.outputCap = outputCap;
        this.environment = environment;
        this.spec = makeSpec();
    }

    @Override
    public ToolSpec spec() {
        return spec;
    }

    private ToolSpec makeSpec() {
        ObjectNode schema = JsonNodeFactory.instance.objectNode();
        schema.put("type", "object");
        ObjectNode command = schema.putObject("properties").putObject("command");
        command.put("type", "string");
        command.put("description", "The command line, run with bash -c");
        schema.putArray("required").add("command");
        return new ToolSpec(NAME, "Run a shell command with bash -c in the agent's workspace directory " + workspace
                + ". Returns stdout and stderr combined (long output keeps its head and tail) and the exit code. "
                + "Commands are killed after " + timeout.toSeconds() + " s.", schema);
    }

    @Override
    public ToolResult run(JsonNode input, Cancellation cancellation) {
        JsonNode command = input == null ? null : input.get("command");
        if (command == null || !command.isTextual() || command.asText().isBlank()) {
            return new ToolResult("bash needs input {\"command\": \"<shell command>\"}, got " + input, true);
        }
        cancellation.throwIfCancelled();
        return launcher.run(command.asText(), cancellation, this::runHere);
    }

    /** Runs {@code bash -c commandLine} as a process group of this process (or the launcher's wrapper of it). */
    private ToolResult runHere(String commandLine, Cancellation cancellation) {
        Process process;
        try {
            Files.createDirectories(workspace);
            ProcessBuilder builder = new ProcessBuilder(ProcessTrees.inOwnGroup(launcher.command(List.of("bash", "-c", commandLine))))
                    .directory(workspace.toFile())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            environment.applyTo(builder.environment());
            process = builder.start();
        } catch (IOException e) {
            return new ToolResult("could not start bash in " + workspace + ": " + e.getMessage(), true);
        }
        long pgid = process.pid();
        groups.add(pgid);
        OutputCollector output = new OutputCollector(outputCap);
        Thread reader = Thread.ofVirtual().name("bash-output-" + pgid).start(() -> output.drain(process.getInputStream()));
        boolean finished = false;
        try (Cancellation.Registration ignored = cancellation.register(() -> ProcessTrees.kill(process.toHandle()))) {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            // cancel interrupts the turn's thread; the group is killed below
        }
        if (!finished || cancellation.isCancelled()) {
            ProcessTrees.kill(process.toHandle());
            groups.remove(pgid);
            joinQuietly(reader, PIPE_GRACE);
            if (cancellation.isCancelled()) {
                throw new TurnCancelledException();
            }
            return new ToolResult(output.text() + "\n[timed out after " + timeout.toSeconds()
                    + " s: the command and its child processes were killed]", true);
        }
        joinQuietly(reader, PIPE_GRACE);
        // A background job may outlive its command; it keeps running until shutdown kills its group. Asked of
        // /proc, not inferred from the output pipe: the JDK closes a process's pipe when the process exits,
        // even while a background child still holds the other end.
        if (!ProcessTrees.groupHasMembers(pgid)) {
            groups.remove(pgid);
        }
        int exit = process.exitValue();
        String text = output.text();
        if (exit != 0) {
            return new ToolResult(text + (text.isEmpty() || text.endsWith("\n") ? "" : "\n") + "[exit code " + exit + "]", true);
        }
        return new ToolResult(text.isEmpty() ? "(no output)" : text, false);
    }

    /** @return whether the thread ended within the wait */
    private static boolean joinQuietly(Thread t, Duration wait) {
        try {
            return t.join(wait);
        } catch (InterruptedException e) {
            return !t.isAlive();
        }
    }

    @Override
    public void close() {
        for (Long pgid : groups) {
            ProcessHandle.of(pgid).ifPresent(ProcessTrees::kill);
            ProcessTrees.killGroup(pgid);
        }
        groups.clear();
        launcher.close();
    }
}
