package dev.agentkernel.cli;

import dev.agentkernel.bench.Bench;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * {@code agentkernel}: the command line behind {@code bin/agentkernel}.
 * Exit codes: 0 success, 1 the command failed (message on stderr), 2 bad usage.
 */
@Command(name = "agentkernel", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Spawn and orchestrate LLM agents, each in its own process.",
        subcommands = {DemoCommand.class, ExampleCommand.class, FakeLlmCommand.class, StatusCommand.class,
                CleanupCommand.class, JShellCommand.class, InstallKernelCommand.class, BusCommand.class, SkillCommand.class, McpCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public Main(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = Map.copyOf(env);
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Parses and runs one command line; returns the exit code. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return commandLine(env, out, err).execute(args);
    }

    static CommandLine commandLine(Map<String, String> env, PrintStream out, PrintStream err) {
        CommandLine cmd = new CommandLine(new Main(env, out, err));
        cmd.addSubcommand("bench", new Bench());
        // jshell hands everything after it, options included, to JShell untouched.
        cmd.getSubcommands().get("jshell").setStopAtPositional(true).setUnmatchedArgumentsAllowed(true)
                .setStopAtUnmatched(true);
        cmd.setOut(new java.io.PrintWriter(out, true));
        cmd.setErr(new java.io.PrintWriter(err, true));
        cmd.setExecutionExceptionHandler((e, c, parsed) -> {
            // The kernel's messages say what went wrong and what to do; a stack trace would bury that.
            err.println("agentkernel: " + message(e));
            return EXIT_FAILED;
        });
        return cmd;
    }

    static String message(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        String msg = t.getMessage();
        return msg == null || msg.isBlank() ? t.getClass().getSimpleName() : msg;
    }

    @Override
    public void run() {
        // No subcommand: show what there is.
        spec.commandLine().usage(out);
    }

    Map<String, String> env() { return env; }
    PrintStream out() { return out; }
    PrintStream err() { return err; }

    /** {@code --state-dir}, else {@code $AGENTKERNEL_HOME}, else {@code ~/.agentkernel} (the kernel's own default). */
    Path stateDir(Path option) {
        if (option != null) return option;
        String home = env.get("AGENTKERNEL_HOME");
        if (home != null && !home.isBlank()) return Path.of(home);
        return Path.of(System.getProperty("user.home"), ".agentkernel");
    }
}
