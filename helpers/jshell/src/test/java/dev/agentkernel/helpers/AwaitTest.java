package dev.agentkernel.helpers;

import dev.agentkernel.AgentKernelException;
import dev.agentkernel.TeamCapacityException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static dev.agentkernel.helpers.Helpers.await;
import static dev.agentkernel.helpers.Helpers.awaitAll;
import static org.junit.jupiter.api.Assertions.*;

class AwaitTest {

    @Test
    void returnsTheValue() {
        assertEquals(42, await(CompletableFuture.completedFuture(42)));
        assertEquals("late", await(CompletableFuture.supplyAsync(() -> "late",
                CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS))));
    }

    @Test
    void rethrowsARuntimeCauseAsItIs() {
        TeamCapacityException cause = new TeamCapacityException("team full");
        RuntimeException thrown = assertThrows(RuntimeException.class,
                () -> await(CompletableFuture.failedFuture(cause)));
        assertSame(cause, thrown);
    }

    @Test
    void unwrapsNestedCompletionExceptions() {
        IllegalStateException cause = new IllegalStateException("inner");
        CompletableFuture<Object> future = CompletableFuture.failedFuture(new CompletionException(cause));
        assertSame(cause, assertThrows(IllegalStateException.class, () -> await(future)));

        CompletableFuture<Object> chained = CompletableFuture.supplyAsync(() -> { throw cause; })
                .thenApply(v -> v);
        assertSame(cause, assertThrows(IllegalStateException.class, () -> await(chained)));
    }

    @Test
    void wrapsACheckedCauseInAgentKernelException() {
        IOException cause = new IOException("disk gone");
        AgentKernelException thrown = assertThrows(AgentKernelException.class,
                () -> await(CompletableFuture.failedFuture(cause)));
        assertSame(cause, thrown.getCause());
        assertTrue(thrown.getMessage().contains("disk gone"), thrown.getMessage());
    }

    @Test
    void rethrowsErrorsAsTheyAre() {
        AssertionError error = new AssertionError("boom");
        assertSame(error, assertThrows(AssertionError.class, () -> await(CompletableFuture.failedFuture(error))));
    }

    @Test
    void anInterruptedWaitCancelsTheFutureAndSaysSo() {
        CompletableFuture<String> never = new CompletableFuture<>();
        Thread.currentThread().interrupt();
        AwaitInterruptedException thrown = assertThrows(AwaitInterruptedException.class, () -> await(never));
        assertTrue(never.isCancelled());
        assertTrue(thrown.getMessage().contains("Interrupted"), thrown.getMessage());
        assertInstanceOf(InterruptedException.class, thrown.getCause());
        assertFalse(Thread.interrupted(), "the interrupt is carried by the exception, not left on the thread");
    }

    @Test
    void nullFutureIsAClearError() {
        NullPointerException thrown = assertThrows(NullPointerException.class, () -> await(null));
        assertTrue(thrown.getMessage().contains("CompletableFuture"), thrown.getMessage());
    }

    @Test
    void awaitAllKeepsArgumentOrderWhateverTheCompletionOrder() {
        var slow = CompletableFuture.supplyAsync(() -> "first",
                CompletableFuture.delayedExecutor(80, TimeUnit.MILLISECONDS));
        var fast = CompletableFuture.supplyAsync(() -> 2);
        CompletableFuture<Void> empty = CompletableFuture.completedFuture(null);
        List<Object> values = awaitAll(slow, fast, empty);
        assertEquals(Arrays.asList("first", 2, null), values);
        assertThrows(UnsupportedOperationException.class, () -> values.add("x"));
    }

    @Test
    void awaitAllOfTwoIsTypedAndAList() {
        Pair<String, Integer> both = awaitAll(CompletableFuture.completedFuture("a"),
                CompletableFuture.supplyAsync(() -> 7, CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS)));
        String first = both.first();
        int second = both.second();
        assertEquals("a", first);
        assertEquals(7, second);
        assertEquals(List.of("a", 7), both);
        assertThrows(IndexOutOfBoundsException.class, () -> both.get(2));
    }

    @Test
    void awaitAllThrowsTheFirstFailureInArgumentOrderAfterAllFinished() {
        var lateFailure = CompletableFuture.supplyAsync(() -> { throw new IllegalStateException("first arg"); },
                CompletableFuture.delayedExecutor(60, TimeUnit.MILLISECONDS));
        var earlyFailure = CompletableFuture.failedFuture(new IllegalArgumentException("second arg"));
        var ok = CompletableFuture.supplyAsync(() -> "ok", CompletableFuture.delayedExecutor(30, TimeUnit.MILLISECONDS));
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> awaitAll(lateFailure, earlyFailure, ok));
        assertEquals("first arg", thrown.getMessage());
        assertTrue(ok.isDone(), "awaitAll waits for every future before reporting");
    }

    @Test
    void awaitAllRejectsANullFutureByPosition() {
        NullPointerException thrown = assertThrows(NullPointerException.class,
                () -> awaitAll(CompletableFuture.completedFuture(1), null, CompletableFuture.completedFuture(3)));
        assertTrue(thrown.getMessage().contains("#1"), thrown.getMessage());
    }
}
