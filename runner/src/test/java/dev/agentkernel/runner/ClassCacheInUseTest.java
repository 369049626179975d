package dev.agentkernel.runner;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClassCacheInUseTest {

    @Test
    void theRequestedCacheCountsOnlyWhenTheJvmShares() {
        assertEquals("aot", ClassCacheInUse.used("aot", "mixed mode, emulated-client, sharing"));
        assertEquals("cds", ClassCacheInUse.used("cds", "mixed mode, sharing"));
        assertEquals("none", ClassCacheInUse.used("aot", "mixed mode, emulated-client"), "the JVM could not map it");
        assertEquals("none", ClassCacheInUse.used("none", "mixed mode, sharing"), "the JDK's own archive is not ours");
        assertEquals("none", ClassCacheInUse.used("aot", null));
    }

    @Test
    void aRunnerStartedByHandAskedForNone() {
        assertEquals("none", ClassCacheInUse.requested(null));
        assertEquals("none", ClassCacheInUse.requested(" "));
        assertEquals("aot", ClassCacheInUse.requested("aot"));
    }
}
