package dev.agentkernel.cli;

import dev.agentkernel.helpers.JShellLauncher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** JShell with the kernel on the class path and the helpers (await, ask, ...) preloaded. */
@Command(name = "jshell",
        description = {"Start JShell with AgentKernel loaded (imports, await, ask, spawn helpers).",
                "Arguments after 'jshell' (a script file, JShell options) go to JShell unchanged."})
final class JShellCommand implements Callable<Integer> {

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        return JShellLauncher.run(List.copyOf(args));
    }
}
