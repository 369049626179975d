package dev.agentkernel.client;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;

/**
 * A value built once, by whichever thread asks first: the kernel's warm-up thread ({@code AgentKernel.build()}
 * starts one) or the first caller, who then waits for a build already under way instead of starting another.
 *
 * <p>Why: in a fresh JVM the kernel's HTTP clients and JSON mapper cost ~500 ms of class loading and interpreted
 * set-up (class-load log and per-thread CPU of the cold one-shot, 2-core box, 2026-12-06). Built in
 * {@code build()} they delayed the first runner's start by that much; built on the warm-up thread they overlap it.
 */
public final class Prebuilt<T> implements Supplier<T> {
    private final FutureTask<T> task;

    public Prebuilt(Callable<T> build) {
        this.task = new FutureTask<>(build);
    }

    /** The value; builds it on this thread unless another thread is building it already, then waits for that. */
    @Override
    public T get() {
        task.run(); // a no-op when built, or while another thread runs it
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the build finishes on its own; the caller's interrupt is kept for later
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException(cause);
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** True once built (successfully or not); for clean-up that must not build what was never used. */
    public boolean isBuilt() {
        return task.isDone();
    }
}
