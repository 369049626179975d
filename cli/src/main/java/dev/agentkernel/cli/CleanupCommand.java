package dev.agentkernel.cli;

import dev.agentkernel.spawn.local.AgentRecord;
import dev.agentkernel.spawn.local.LocalStateDir;
import dev.agentkernel.spawn.local.ProcessTreeKill;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * Stops the agents nobody can talk to any more (their kernel died without cleaning up) and removes their
 * directories; {@code --all} does it to every recorded agent.
 */
@Command(name = "cleanup", mixinStandardHelpOptions = true,
        description = {"Kill and remove the local agents whose owner kernel is gone (stale ones, see 'status').",
                "With --all: every recorded agent, detached ones and those of running kernels too."})
final class CleanupCommand implements Callable<Integer> {

    private static final Duration GRACE = Duration.ofSeconds(3);

    @ParentCommand Main main;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "State directory (default $AGENTKERNEL_HOME or ~/.agentkernel).")
    Path stateDir;

    @Option(names = "--all", description = "Stop and remove every recorded agent, not only the stale ones.")
    boolean all;

    @Option(names = "--config", paramLabel = "FILE",
            description = {"A kernel config with backend: kubernetes: clean the cluster instead of the state directory.",
                    "Deletes the pods of kernels whose owner lease expired (and those leases); with --all, every",
                    "object labelled app.kubernetes.io/managed-by=agentkernel in its namespace."})
    Path config;

    @Override
    public Integer call() {
        if (config != null) return cleanCluster(main.out());
        LocalStateDir dir = new LocalStateDir(main.stateDir(stateDir));
        PrintStream out = main.out();
        if (all) {
            cleanAll(dir, out);
        } else {
            cleanStale(dir, out);
        }
        return 0;
    }

    /**
     * The Kubernetes module is only on the CLI's run-time class path (it brings the fabric8 client), so it is
     * reached by name; {@code ClusterCleanup.run(config, dryRun, expiredOnly, out)} does the work.
     */
    private int cleanCluster(PrintStream out) {
        dev.agentkernel.config.KernelConfig cfg = dev.agentkernel.config.KernelConfigLoader.load(config);
        if (cfg.backend() == null || !cfg.backend().trim().equalsIgnoreCase("kubernetes")) {
            throw new dev.agentkernel.ConfigException("cleanup --config needs a config with"
                    + " 'backend: kubernetes' (" + config + " has backend " + cfg.backend() + "); local agents are cleaned without --config");
        }
        try {
            Class<?> cleanup = Class.forName("dev.agentkernel.spawn.k8s.ClusterCleanup");
            cleanup.getMethod("run", dev.agentkernel.config.KernelConfig.class, boolean.class, boolean.class, PrintStream.class)
                    .invoke(null, cfg, false, !all, out);
            return 0;
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException("the Kubernetes module (agentkernel-k8s) is not on the class path; build it with"
                    + " mvn -pl k8s install", e);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }

    private void cleanStale(LocalStateDir dir, PrintStream out) {
        List<LocalStateDir.Entry> reaped = dir.reap(GRACE);
        for (LocalStateDir.Entry e : reaped) {
            out.println("stopped " + describe(e) + ": its kernel (pid " + e.record().ownerPid() + ") is gone"
                    + (e.processAlive() ? "; killed runner pid " + e.record().pid() : "; runner had already exited"));
        }
        int removed = dir.prune();
        int kept = dir.list().size();
        out.println("cleanup: stopped " + reaped.size() + " stale agent(s), removed " + removed
                + " stopped agent director" + (removed == 1 ? "y" : "ies") + ", kept " + kept
                + " (kernel alive or detached; 'cleanup --all' stops those too) in " + dir.path() + ".");
    }

    private void cleanAll(LocalStateDir dir, PrintStream out) {
        List<LocalStateDir.Entry> entries = dir.list();
        List<ProcessHandle> runners = new ArrayList<>();
        for (LocalStateDir.Entry e : entries) e.record().runner().ifPresent(runners::add);
        if (!runners.isEmpty()) ProcessTreeKill.terminate(runners, GRACE);
        int killed = 0;
        for (LocalStateDir.Entry e : entries) {
            Optional<ProcessHandle> left = e.record().runner();
            if (left.isPresent()) {
                throw new IllegalStateException("runner pid " + e.record().pid() + " of " + describe(e)
                        + " survived TERM and KILL; stop it by hand (kill -9 " + e.record().pid() + ") and run cleanup again");
            }
            deleteTree(e.dir());
            if (e.processAlive()) killed++;
            out.println("removed " + describe(e) + (e.processAlive() ? "; killed runner pid " + e.record().pid() : ""));
        }
        out.println("cleanup --all: killed " + killed + " runner(s), removed " + entries.size()
                + " agent director" + (entries.size() == 1 ? "y" : "ies") + " in " + dir.path() + ".");
    }

    private static String describe(LocalStateDir.Entry e) {
        AgentRecord r = e.record();
        return r.id() + " (" + r.name() + ")";
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + root + ": " + e.getMessage()
                    + "; check its permissions and remove it by hand", e);
        }
    }
}
