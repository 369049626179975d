package dev.agentkernel;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ShutdownHooksTest {

    @Test
    void closersRunOnceNewestFirstAndUnregisteredOnesNot() {
        ShutdownHooks hooks = new ShutdownHooks(false);
        List<String> ran = new ArrayList<>();
        hooks.add("kernel", () -> ran.add("kernel"));
        ShutdownHooks.Registration closed = hooks.add("closed kernel", () -> ran.add("closed kernel"));
        hooks.add("session", () -> ran.add("session"));
        closed.unregister();
        closed.unregister(); // twice is fine

        hooks.runAll();
        hooks.runAll();

        assertEquals(List.of("session", "kernel"), ran);
    }

    @Test
    void aFailingCloserDoesNotStopTheOthers() {
        ShutdownHooks hooks = new ShutdownHooks(false);
        List<String> ran = new ArrayList<>();
        hooks.add("first", () -> ran.add("first"));
        hooks.add("broken", () -> { throw new IllegalStateException("boom"); });

        hooks.runAll();

        assertEquals(List.of("first"), ran);
    }

    @Test
    void aCloserMayUnregisterAnotherWhileTheHookRuns() {
        ShutdownHooks hooks = new ShutdownHooks(false);
        List<String> ran = new ArrayList<>();
        ShutdownHooks.Registration kernel = hooks.add("kernel", () -> ran.add("kernel"));
        // A session closing its kernels at exit: their close() unregisters their own closer.
        hooks.add("session", () -> { ran.add("session"); kernel.unregister(); });

        hooks.runAll();

        assertEquals(List.of("session"), ran);
    }
}
