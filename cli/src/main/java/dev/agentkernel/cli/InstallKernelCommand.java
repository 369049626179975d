package dev.agentkernel.cli;

import dev.agentkernel.jupyter.KernelSpecInstaller;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Registers the AgentKernel Jupyter kernel so notebooks and {@code jupyter console} can use it. */
@Command(name = "install-kernel", mixinStandardHelpOptions = true,
        description = {"Install the 'agentkernel' Jupyter kernelspec.",
                "Then: jupyter console --kernel agentkernel (or pick it in a notebook)."})
final class InstallKernelCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Where where;

    static final class Where {
        @Option(names = "--user", description = "Into your user's Jupyter data directory.")
        boolean user;

        @Option(names = "--sys-prefix", description = "Into the current Python environment (sys.prefix).")
        boolean sysPrefix;

        @Option(names = "--prefix", paramLabel = "DIR", description = "Under DIR/share/jupyter/kernels.")
        Path prefix;
    }

    @Option(names = "--name", paramLabel = "NAME", description = "Kernelspec name (default agentkernel).")
    String name;

    @Option(names = "--java", paramLabel = "PATH", description = "The java the kernel runs with (default: this one).")
    Path java;

    @Option(names = "--no-aot", description = "Do not train a JDK 25 AOT cache for the kernel JVM (about 15 s at install;"
            + " without it the first cell after a kernel start waits longer for JShell).")
    boolean noAot;

    @Override
    public Integer call() {
        return KernelSpecInstaller.run(installerArguments());
    }

    /** {@link #arguments()} plus {@code --aot} unless {@code --no-aot}: a user's install trains the AOT cache. */
    List<String> installerArguments() {
        List<String> args = arguments();
        if (!noAot) args.add("--aot");
        return args;
    }

    /** The location, name and java given: the one location flag given (none: its default, --user), then name and java. */
    List<String> arguments() {
        List<String> args = new ArrayList<>();
        if (where != null) {
            if (where.user) args.add("--user");
            if (where.sysPrefix) args.add("--sys-prefix");
            if (where.prefix != null) {
                args.add("--prefix");
                args.add(where.prefix.toString());
            }
        }
        if (name != null) {
            args.add("--name");
            args.add(name);
        }
        if (java != null) {
            args.add("--java");
            args.add(java.toString());
        }
        return args;
    }
}
