package dev.agentkernel.runner.tools;

import dev.agentkernel.runner.model.ToolSpec;
import dev.agentkernel.runner.model.ToolCall;
import dev.agentkernel.runner.model.Cancellation;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The tools enabled by the config's {@code tools} list. */
public final class ToolRegistry implements AutoCloseable {
    /** Every tool name the runner can provide; the config is checked against this at start. */
    public static final List<String> KNOWN_TOOLS = List.of(BashTool.NAME);

    private final Map<String, Tool> tools = new LinkedHashMap<>();

    public ToolRegistry(List<Tool> tools) {
        tools.forEach(t -> this.tools.put(t.spec().name(), t));
    }

    /** @param toolEnv variables set for every process a tool starts, on top of the runner's scrubbed environment */
    public static ToolRegistry create(List<String> names, Path workspace, Duration bashTimeout, int outputCap,
                                      Map<String, String> toolEnv) {
        return create(names, workspace, bashTimeout, outputCap, ToolEnvironment.inherit(toolEnv), ToolLauncher.DIRECT);
    }

    /**
     * @param toolEnv  the whole environment of every process a tool starts
     * @param launcher how tool processes are started (the sandbox backend's nested {@link ToolSandbox})
     */
    public static ToolRegistry create(List<String> names, Path workspace, Duration bashTimeout, int outputCap,
                                      ToolEnvironment toolEnv, ToolLauncher launcher) {
        List<Tool> list = names.stream().distinct().map(name -> switch (name) {
            case BashTool.NAME -> (Tool) new BashTool(workspace, bashTimeout, outputCap, toolEnv, launcher);
            default -> throw new IllegalArgumentException("unknown tool '" + name + "': known tools are " + KNOWN_TOOLS);
        }).toList();
        return new ToolRegistry(list);
    }

    public List<ToolSpec> specs() {
        return tools.values().stream().map(Tool::spec).toList();
    }

    public List<String> names() {
        return List.copyOf(tools.keySet());
    }

    /** Runs the call; a tool the model made up gets an error result rather than ending the turn. */
    public ToolResult run(ToolCall call, Cancellation cancellation) {
        Tool tool = tools.get(call.name());
        if (tool == null) {
            return new ToolResult("no tool named '" + call.name() + "'; available tools: " + names(), true);
        }
        return tool.run(call.input(), cancellation);
    }

    @Override
    public void close() {
        tools.values().forEach(Tool::close);
    }
}
