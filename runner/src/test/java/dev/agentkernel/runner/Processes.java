package dev.agentkernel.runner;

/** Test helper: a SIGKILLed process is gone only once its parent (or init) reaped it, so poll briefly. */
public final class Processes {
    private Processes() {}

    public static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
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
