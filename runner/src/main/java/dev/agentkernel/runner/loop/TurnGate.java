package dev.agentkernel.runner.loop;

import dev.agentkernel.runner.model.Cancellation;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/** Lets one turn run at a time (a second one gets 409) and lets {@code /cancel} and shutdown reach it. */
public final class TurnGate {
    private final AtomicReference<RunningTurn> current = new AtomicReference<>();

    /** A started turn: its stop switch and a future completed once it has left the gate. */
    public record RunningTurn(Cancellation cancellation, CompletableFuture<Void> finished) {
        /** Waits for the turn to end; false if it did not within {@code wait}. */
        public boolean await(Duration wait) {
            try {
                finished.get(wait.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (TimeoutException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException e) {
                return true;
            }
        }
    }

    /** The new turn, or empty when one is already running. */
    public Optional<RunningTurn> tryStart() {
        RunningTurn turn = new RunningTurn(new Cancellation(), new CompletableFuture<>());
        return current.compareAndSet(null, turn) ? Optional.of(turn) : Optional.empty();
    }

    /**
     * Like {@link #tryStart()}, but when the running turn is already cancelled (it is winding down), waits up to
     * {@code wait} for it to leave the gate. A running turn that was not cancelled is refused at once.
     */
    public Optional<RunningTurn> tryStartAfterCancelled(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Optional<RunningTurn> started = tryStart();
            if (started.isPresent()) return started;
            RunningTurn running = current.get();
            if (running == null) continue;
            long left = deadline - System.nanoTime();
            if (!running.cancellation.isCancelled() || left <= 0) return Optional.empty();
            running.await(Duration.ofNanos(left));
        }
    }

    /** Frees the agent for the next turn; call after the turn's history is written, before its last event. */
    public void finish(RunningTurn turn) {
        current.compareAndSet(turn, null);
        turn.finished.complete(null);
    }

    public Optional<RunningTurn> running() {
        return Optional.ofNullable(current.get());
    }

    /** Cancels the running turn, if any, and waits up to {@code wait} for it to end. */
    public boolean cancelAndWait(Duration wait) {
        RunningTurn turn = current.get();
        if (turn == null) {
            return true;
        }
        turn.cancellation.cancel();
        return turn.await(wait);
    }
}
