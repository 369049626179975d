package dev.agentkernel.runner;

import dev.agentkernel.runner.model.BadConfigException;
import dev.agentkernel.runner.owner.LeaseWatch;
import dev.agentkernel.runner.owner.OwnerWatch;
import dev.agentkernel.protocol.Protocol;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code RunnerMain --config <path>}: the agent process. Exit codes: 0 after SIGTERM/SIGINT,
 * {@link Protocol#EXIT_BAD_CONFIG} for an unusable config, {@link Protocol#EXIT_PORT_IN_USE} when the port is
 * taken (the spawner retries with another), {@code BusService.EXIT_BUS_PORT_IN_USE} (4) when the AgentBus port
 * is taken (not retried: the caller chose that port), 1 for anything else.
 */
public final class RunnerMain {
    private RunnerMain() {}

    /** How often the owner's pid is checked when its pipe cannot tell us (the pipe answers at once). */
    static final java.time.Duration OWNER_CHECK_PERIOD = java.time.Duration.ofMillis(500);

    public static void main(String[] args) {
        if (args.length >= 1 && args[0].equals("--cds-training")) {
            try {
                // optional: the providers whose SDK path to train (default both)
                if (args.length == 1) CdsTraining.run();
                else CdsTraining.run(java.util.Arrays.asList(args).subList(1, args.length));
                System.exit(0);
            } catch (IOException | BadConfigException | RuntimeException e) {
                System.err.println("runner: CDS training run failed: " + e);
                System.exit(1);
            }
            return;
        }
        Path configPath;
        try {
            configPath = configPath(args);
        } catch (BadConfigException e) {
            System.err.println("runner: " + e.getMessage());
            System.exit(Protocol.EXIT_BAD_CONFIG);
            return;
        }
        String standbyFile = System.getenv(Protocol.ENV_RUNNER_STANDBY);
        RunnerSettings settings;
        Runner runner;
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Runner> running = new java.util.concurrent.atomic.AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Runner r = running.get();
            if (r != null) r.close();
            stopped.countDown();
        }, "runner-shutdown"));
        installSignalHandlers();
        if (standbyFile != null) {
            Standby.Claimed claimed = standby(Path.of(standbyFile), configPath);
            if (claimed == null) return; // exiting
            settings = claimed.settings();
            runner = claimed.runner();
            running.set(runner);
        } else {
            try {
                settings = RunnerSettings.load(configPath, System.getenv());
            } catch (BadConfigException e) {
                System.err.println("runner: " + e.getMessage());
                System.exit(Protocol.EXIT_BAD_CONFIG);
                return;
            }
            try {
                runner = new Runner(settings, Runner.Options.DEFAULT);
            } catch (dev.agentkernel.runner.bus.BusPortTakenException e) {
                System.err.println("runner: " + e.getMessage());
                System.exit(dev.agentkernel.runner.bus.BusService.EXIT_BUS_PORT_IN_USE);
                return;
            } catch (BindException e) {
                System.err.println("runner: cannot bind " + settings.bindAddress() + ":" + settings.httpPort() + " (" + e.getMessage()
                        + "): the port is taken, spawn again with another port");
                System.exit(Protocol.EXIT_PORT_IN_USE);
                return;
            } catch (IOException | RuntimeException e) {
                System.err.println("runner: cannot start agent " + settings.agentId() + ": " + e);
                System.exit(1);
                return;
            }
            running.set(runner);
            runner.start();
        }
        if (standbyFile == null) watchOwner(settings.owner()); // a standby watches its owner from the start
        // In a pod the kernel is not our parent: it proves it lives by renewing a Lease (env from the Kubernetes backend).
        try {
            LeaseWatch.fromEnv(System.getenv()).ifPresent(lease -> new LeaseWatch(lease,
                    () -> new Thread(() -> System.exit(0), "runner-exit").start()).start());
        } catch (BadConfigException e) {
            System.err.println("runner: " + e.getMessage());
            System.exit(Protocol.EXIT_BAD_CONFIG);
            return;
        }
        if (!ClassCacheInUse.requested().equals(ClassCacheInUse.used())) {
            // the JVM printed why on stdout; the runner works, only its first turn is slower
            System.err.println("runner: the " + ClassCacheInUse.requested() + " class cache could not be mapped; running without one");
        }
        System.out.println("runner ready on " + runner.url());
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Exits when the kernel that owns this runner is gone (its pipe closes, or its pid dies). */
    private static void watchOwner(RunnerSettings.Owner owner) {
        if (owner.watched()) {
            // exit(0) runs the shutdown hook: the turn is cancelled and tool processes are killed; history is on disk
            new OwnerWatch(owner.pid(), owner.startMillis(), owner.pipe(), OWNER_CHECK_PERIOD,
                    () -> new Thread(() -> System.exit(0), "runner-exit").start()).start(System.in);
        }
    }

    /** A standby runner ({@link Standby}): waits for its claim; null when it failed (the process is exiting). */
    private static Standby.Claimed standby(Path standbyFile, Path configPath) {
        dev.agentkernel.protocol.RunnerConfig standby;
        try {
            standby = Standby.read(standbyFile);
        } catch (BadConfigException e) {
            System.err.println("runner: " + e.getMessage());
            System.exit(Protocol.EXIT_BAD_CONFIG);
            return null;
        }
        watchOwner(Standby.owner(standby));
        try {
            return Standby.serve(standby, configPath, System.getenv());
        } catch (Standby.ClaimFailed e) {
            System.err.println(e.getMessage());
            System.exit(e.exitCode);
        } catch (IOException e) {
            System.err.println("runner: the standby failed: " + e);
            System.exit(1);
        }
        return null;
    }

    /** SIGTERM/SIGINT exit with 0 (not 143) after the shutdown hook cancelled the turn and killed tool processes. */
    @SuppressWarnings("sunapi")
    private static void installSignalHandlers() {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> new Thread(() -> System.exit(0), "runner-exit").start());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // signal not available here: the default handling still runs the shutdown hook
            }
        }
    }

    static Path configPath(String[] args) throws BadConfigException {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        throw new BadConfigException("usage: RunnerMain --config <path to config.json>  (or --cds-training)");
    }
}
