package dev.agentkernel.client;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class PrebuiltTest {

    @Test
    void threadsAskingWhileItIsBuiltWaitForThatBuildInsteadOfStartingAnother() throws Exception {
        AtomicInteger builds = new AtomicInteger();
        CountDownLatch building = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Prebuilt<Object> value = new Prebuilt<>(() -> {
            builds.incrementAndGet();
            building.countDown();
            assertTrue(release.await(10, TimeUnit.SECONDS));
            return new Object();
        });
        Thread warmUp = Thread.ofPlatform().start(value::get);
        assertTrue(building.await(10, TimeUnit.SECONDS));
        assertFalse(value.isBuilt());
        List<Object> got = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < 8; i++) callers.add(Thread.ofPlatform().start(() -> got.add(value.get())));
        Thread.sleep(50);
        assertTrue(got.isEmpty(), "callers wait for the build under way");
        release.countDown();
        for (Thread t : callers) t.join(10_000);
        warmUp.join(10_000);
        assertEquals(1, builds.get(), "built once");
        assertEquals(8, got.size());
        assertTrue(got.stream().allMatch(o -> o == got.getFirst()), "everyone gets the same value");
        assertTrue(value.isBuilt());
    }

    @Test
    void theFirstCallerBuildsItWhenNoWarmUpDid() {
        AtomicInteger builds = new AtomicInteger();
        Prebuilt<String> value = new Prebuilt<>(() -> "built " + builds.incrementAndGet());
        assertFalse(value.isBuilt(), "nothing is built before it is asked for");
        assertEquals("built 1", value.get());
        assertEquals("built 1", value.get());
        assertEquals(1, builds.get());
    }

    @Test
    void aFailedBuildThrowsItsOwnExceptionToEveryCaller() {
        IllegalStateException cause = new IllegalStateException("no port");
        Prebuilt<String> value = new Prebuilt<>(() -> { throw cause; });
        assertSame(cause, assertThrows(IllegalStateException.class, value::get));
        assertSame(cause, assertThrows(IllegalStateException.class, value::get), "not retried, not wrapped");
        Prebuilt<String> checked = new Prebuilt<>(() -> { throw new java.io.IOException("disk"); });
        IllegalStateException wrapped = assertThrows(IllegalStateException.class, checked::get);
        assertEquals("disk", wrapped.getCause().getMessage());
    }

    @Test
    void anInterruptedCallerStillGetsTheValueAndKeepsItsInterrupt() throws Exception {
        CountDownLatch building = new CountDownLatch(1);
        Prebuilt<String> value = new Prebuilt<>(() -> {
            building.countDown();
            Thread.sleep(200);
            return "v";
        });
        Thread.ofPlatform().start(value::get);
        assertTrue(building.await(10, TimeUnit.SECONDS));
        String[] got = new String[1];
        boolean[] interrupted = new boolean[1];
        Thread caller = Thread.ofPlatform().start(() -> {
            Thread.currentThread().interrupt();
            got[0] = value.get();
            interrupted[0] = Thread.currentThread().isInterrupted();
        });
        caller.join(10_000);
        assertEquals("v", got[0]);
        assertTrue(interrupted[0], "the interrupt is kept for the caller's own code");
    }
}
