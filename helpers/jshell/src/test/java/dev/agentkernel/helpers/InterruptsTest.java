package dev.agentkernel.helpers;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class InterruptsTest {

    @Test
    void interruptAllRunsEachRegisteredHandlerOnce() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Runnable handler = runs::incrementAndGet;
        AutoCloseable a = Interrupts.register(handler);
        AutoCloseable b = Interrupts.register(handler);
        Interrupts.interruptAll();
        assertEquals(2, runs.get(), "the same Runnable registered twice runs twice");
        Interrupts.interruptAll();
        assertEquals(2, runs.get(), "handlers are removed once they ran");
        a.close();
        b.close();
    }

    @Test
    void closedRegistrationsDoNotRun() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        AutoCloseable registration = Interrupts.register(runs::incrementAndGet);
        registration.close();
        Interrupts.interruptAll();
        assertEquals(0, runs.get());
    }

    @Test
    void aFailingHandlerDoesNotStopTheOthers() {
        List<String> ran = new ArrayList<>();
        Interrupts.register(() -> { ran.add("bad"); throw new IllegalStateException("handler bug"); });
        Interrupts.register(() -> ran.add("good"));
        Interrupts.interruptAll();
        assertTrue(ran.contains("bad") && ran.contains("good"), ran.toString());
    }

    @Test
    void nullHandlerIsRejectedWithAHint() {
        NullPointerException thrown = assertThrows(NullPointerException.class, () -> Interrupts.register(null));
        assertTrue(thrown.getMessage().contains("cancels"), thrown.getMessage());
    }
}
