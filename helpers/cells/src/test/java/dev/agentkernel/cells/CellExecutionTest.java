package dev.agentkernel.cells;

import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.spi.ExecutionControlProvider;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/** The cell engine's execution: a cell returns when its code does, whatever threads it left running. */
class CellExecutionTest {
    /** The JDK's own local engine hung here on a loaded machine; see {@link CellExecution}. */
    static ExecutionControlProvider engine() {
        return new CellExecution();
    }

    @Test
    void aCellThatStartsALongLivedThreadReturnsEvenOnABusyMachine() throws Exception {
        // Busy threads make the race of JDK's LocalExecutionControl likely (it joins whatever the cell's thread group
        // holds when it looks, right after starting the cell): with it, some of these cells never return.
        AtomicBoolean busy = new AtomicBoolean(true);
        List<Thread> spinners = new ArrayList<>();
        List<Thread> leftOver = new ArrayList<>();
        try (JShell shell = JShell.builder().executionEngine(engine(), Map.of()).build()) {
            eval(shell, "java.util.List<Thread> started = new java.util.concurrent.CopyOnWriteArrayList<>();");
            eval(shell, "started.add(Thread.currentThread());"); // the compiler warmed before the machine is made busy
            eval(shell, "started.clear();");
            for (int i = 0; i < 3; i++) spinners.add(Thread.ofPlatform().daemon().start(() -> { while (busy.get()) Thread.onSpinWait(); }));
            for (int i = 0; i < 150; i++) {
                String cell = "started.add(Thread.ofPlatform().daemon().name(\"lives-on-" + i + "\").start(() -> {"
                        + " try { Thread.sleep(600_000); } catch (InterruptedException e) { } }));";
                CompletableFuture<Void> run = new CompletableFuture<>();
                Thread.ofPlatform().daemon().start(() -> {
                    try {
                        eval(shell, cell);
                        run.complete(null);
                    } catch (Throwable t) {
                        run.completeExceptionally(t);
                    }
                });
                try {
                    run.get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    StringBuilder where = new StringBuilder();
                    Thread.getAllStackTraces().forEach((t, stack) -> {
                        if (java.util.Arrays.stream(stack).anyMatch(f -> f.getClassName().startsWith("jdk.jshell"))) {
                            where.append(t).append('\n');
                            for (StackTraceElement f : stack) where.append("    at ").append(f).append('\n');
                        }
                    });
                    fail("cell " + i + " did not return in 30 s:\n" + where);
                }
            }
            Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("lives-on-")).forEach(leftOver::add);
            assertEquals(150, leftOver.size(), "the threads the cells started live on");
        } finally {
            busy.set(false);
            leftOver.forEach(Thread::interrupt);
            for (Thread t : spinners) t.join(Duration.ofSeconds(5));
        }
    }

    @Test
    void stopEndsABusyLoopAndInterruptsAWaitingCellAndTheNextCellRuns() throws Exception {
        try (JShell shell = JShell.builder().executionEngine(engine(), Map.of()).build()) {
            eval(shell, "int warm = 1;");
            for (String body : List.of("while (true) { }", "Thread.sleep(600_000);")) {
                String marker = "cell.running." + body.length();
                String cell = "System.setProperty(\"" + marker + "\", \"yes\"); " + body;
                CompletableFuture<List<SnippetEvent>> run = new CompletableFuture<>();
                Thread.ofPlatform().daemon().start(() -> run.complete(shell.eval(cell)));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.getProperty(marker) == null && System.nanoTime() < deadline) Thread.sleep(10);
                assertNotNull(System.getProperty(marker), "the cell started running");
                Thread.sleep(100);
                assertFalse(run.isDone(), "the cell runs");
                shell.stop();
                // a busy loop and a 10-minute sleep return only when stopped
                assertDoesNotThrow(() -> run.get(10, TimeUnit.SECONDS), body + " was not stopped within 10 s");
            }
            List<SnippetEvent> next = shell.eval("1 + 1");
            assertEquals("2", next.get(0).value());
        }
    }

    private static void eval(JShell shell, String code) {
        for (SnippetEvent e : shell.eval(code)) {
            if (e.status() == Snippet.Status.REJECTED) fail("rejected: " + code);
            if (e.exception() != null) fail(code + " threw " + e.exception());
        }
    }
}
