package dev.agentkernel.runner;

/** Test helper: whether a process still runs (zombies do not), polled briefly after a kill. */
public final class Processes {
    private Processes() {}

    public static boolean alive(long pid) {
        return dev.agentkernel.runner.tools.ProcessTrees.running(pid);
    }

    /** True when {@code pid} is gone within 3 s. */
    public static boolean diesSoon(long pid) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 3000;
        while (alive(pid) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        return !alive(pid);
    }
}
