package dev.agentkernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one JVM shutdown hook of AgentKernel (issue 16.3): kernels, the notebook session and the Jupyter kernel
 * register what must happen when the JVM exits without their {@code close()} (agents are separate processes
 * or pods, they would outlive it). At exit the closers still registered run once each, newest first (like
 * try-with-resources: what was registered later may use what came before), one after the other on the hook's
 * thread, so they never race each other; one that throws does not stop the rest.
 */
public final class ShutdownHooks {

    /** A registered closer; {@link #unregister()} once its owner closed normally. */
    public interface Registration {
        /** The closer will not run at exit. Safe to call more than once, and from a closer while the hook runs. */
        void unregister();
    }

    private static final Logger LOG = Logger.getLogger(ShutdownHooks.class.getName());
    private static final ShutdownHooks JVM = new ShutdownHooks(true);

    private final boolean installOnJvm;
    private final List<Entry> entries = new ArrayList<>();
    private boolean installed;

    ShutdownHooks(boolean installOnJvm) { this.installOnJvm = installOnJvm; }

    /**
     * Runs {@code closer} when the JVM exits, unless unregistered first. {@code name} appears in the log when the
     * closer fails.
     */
    public static Registration register(String name, Runnable closer) {
        return JVM.add(name, closer);
    }

    Registration add(String name, Runnable closer) {
        Entry e = new Entry(name, closer);
        synchronized (entries) {
            entries.add(e);
            if (installOnJvm && !installed) {
                Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("agentkernel-shutdown").unstarted(this::runAll));
                installed = true;
            }
        }
        return () -> {
            synchronized (entries) {
                entries.remove(e);
            }
        };
    }

    /** Runs every registered closer once, newest first. */
    void runAll() {
        while (true) {
            Entry next;
            synchronized (entries) {
                if (entries.isEmpty()) return;
                next = entries.removeLast();
            }
            next.runOnce();
        }
    }

    private static final class Entry {
        final String name;
        final Runnable closer;
        final AtomicBoolean ran = new AtomicBoolean();

        Entry(String name, Runnable closer) {
            this.name = name;
            this.closer = closer;
        }

        void runOnce() {
            if (!ran.compareAndSet(false, true)) return;
            try {
                closer.run();
            } catch (Throwable t) {
                // Exiting anyway: the others still run; the stale-agent sweeps (cleanup CLI) find what is left.
                LOG.log(Level.WARNING, "shutdown closer '" + name + "' failed", t);
            }
        }
    }
}
