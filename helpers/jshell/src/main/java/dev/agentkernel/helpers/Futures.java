package dev.agentkernel.helpers;

import dev.agentkernel.AgentKernelException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Blocking waits that behave like Python's {@code await}: the value, or the original error. */
final class Futures {
    private Futures() {}

    static <T> T await(CompletableFuture<T> future) {
        Objects.requireNonNull(future, "await(null): pass the CompletableFuture a kernel call returned");
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw unwrap(e);
        } catch (InterruptedException e) {
            future.cancel(true);
            // The interrupt is turned into this exception rather than kept as the thread's flag: in a JShell
            // or notebook session the flag would make the next cell's first blocking call fail at once.
            throw new AwaitInterruptedException("Interrupted while waiting for a result; the pending call was "
                    + "cancelled. Run the cell again to retry.", e);
        }
    }

    static List<Object> awaitAll(CompletableFuture<?>... futures) {
        Objects.requireNonNull(futures, "awaitAll(null): pass the futures to wait for");
        for (int i = 0; i < futures.length; i++) {
            Objects.requireNonNull(futures[i], "awaitAll: future #" + i + " is null");
        }
        // Wait for all before reporting, so a fast failure does not leave the others running unobserved.
        try {
            CompletableFuture.allOf(futures).get();
        } catch (ExecutionException e) {
            // reported below in argument order, so the first failing future's error wins deterministically
        } catch (InterruptedException e) {
            for (CompletableFuture<?> f : futures) f.cancel(true);
            throw new AwaitInterruptedException("Interrupted while waiting for " + futures.length
                    + " results; the pending calls were cancelled. Run the cell again to retry.", e);
        }
        List<Object> values = new ArrayList<>(futures.length);
        for (CompletableFuture<?> f : futures) values.add(await(f));
        return Collections.unmodifiableList(values);
    }

    /**
     * The original failure: unchecked exceptions and errors as they were thrown, checked ones wrapped in
     * {@link AgentKernelException} (the signature of await cannot declare them).
     */
    static RuntimeException unwrap(Throwable thrown) {
        Throwable cause = thrown;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof RuntimeException runtime) return runtime;
        if (cause instanceof Error error) throw error;
        return new AgentKernelException(cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
    }
}
