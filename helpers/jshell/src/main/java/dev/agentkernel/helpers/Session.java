package dev.agentkernel.helpers;

import dev.agentkernel.AgentKernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The kernels created in this JShell session, so that ending the session (Jupyter shutdown or restart,
 * JShell {@code /exit}) kills the agents it spawned instead of leaving orphan processes behind.
 */
public final class Session {
    private static final Logger LOG = Logger.getLogger(Session.class.getName());
    private static final List<AgentKernel> KERNELS = new CopyOnWriteArrayList<>();
    private static final AtomicBoolean HOOK_INSTALLED = new AtomicBoolean();

    private Session() {}

    /** Remembers {@code kernel} for {@link #closeAll()} and returns it. */
    public static <K extends AgentKernel> K track(K kernel) {
        Objects.requireNonNull(kernel, "Session.track(null): pass the kernel you just built");
        if (!KERNELS.contains(kernel)) KERNELS.add(kernel);
        closeAllAtExit();
        return kernel;
    }

    /**
     * Makes the JVM's exit run {@link #closeAll()} (once, however often this is called), through the kernel's one
     * shutdown mechanism, {@link dev.agentkernel.ShutdownHooks}.
     */
    public static void closeAllAtExit() {
        if (HOOK_INSTALLED.compareAndSet(false, true)) dev.agentkernel.ShutdownHooks.register("Session.closeAll", Session::closeAll);
    }

    /** The kernels tracked now, oldest first. */
    public static List<AgentKernel> kernels() {
        return List.copyOf(KERNELS);
    }

    /**
     * Closes every tracked kernel (which kills its non-detached agents) and forgets them. A kernel that
     * fails to close is logged and does not keep the others alive.
     */
    public static void closeAll() {
        List<AgentKernel> kernels = new ArrayList<>(KERNELS);
        KERNELS.removeAll(kernels);
        for (AgentKernel kernel : kernels) {
            try {
                kernel.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Closing an AgentKernel failed; its agents may still run", e);
            }
        }
    }
}
