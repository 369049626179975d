package dev.agentkernel.cli;

import dev.agentkernel.LocalAgents;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

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
        LocalAgents dir = LocalAgents.in(main.stateDir(stateDir));
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

    private void cleanStale(LocalAgents dir, PrintStream out) {
        List<LocalAgents.Recorded> reaped = dir.reapStale(GRACE);
        for (LocalAgents.Recorded e : reaped) {
            out.println("stopped " + describe(e) + ": its kernel (pid " + e.ownerPid() + ") is gone"
                    + (e.processAlive() ? "; killed runner pid " + e.pid() : "; runner had already exited"));
        }
        int removed = dir.prune();
        int kept = dir.list().size();
        out.println("cleanup: stopped " + reaped.size() + " stale agent(s), removed " + removed
                + " stopped agent director" + (removed == 1 ? "y" : "ies") + ", kept " + kept
                + " (kernel alive or detached; 'cleanup --all' stops those too) in " + dir.path() + ".");
    }

    private void cleanAll(LocalAgents dir, PrintStream out) {
        int[] killed = {0};
        List<LocalAgents.Recorded> removed = dir.removeAll(GRACE, e -> {
            if (e.processAlive()) killed[0]++;
            out.println("removed " + describe(e) + (e.processAlive() ? "; killed runner pid " + e.pid() : ""));
        });
        out.println("cleanup --all: killed " + killed[0] + " runner(s), removed " + removed.size()
                + " agent director" + (removed.size() == 1 ? "y" : "ies") + " in " + dir.path() + ".");
    }

    private static String describe(LocalAgents.Recorded e) {
        return e.id() + " (" + e.name() + ")";
    }
}
