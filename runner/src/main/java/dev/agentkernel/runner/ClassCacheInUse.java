package dev.agentkernel.runner;

import dev.agentkernel.protocol.Protocol;

/**
 * Which class cache this runner's JVM mapped, for {@code /info} ({@link Protocol#INFO_CLASS_CACHE}). The kernel
 * names the kind it passed in {@code -Dagentkernel.class.cache}; whether the JVM could use it shows in
 * {@code java.vm.info}: HotSpot adds "sharing" only when a CDS/AOT archive is mapped, and an explicit AOT cache or
 * AppCDS archive it cannot map (stale, truncated, not an archive) switches sharing off altogether rather than falling
 * back to the JDK's default archive (checked on JDK 25: a truncated or garbage {@code -XX:AOTCache} or
 * {@code -XX:SharedArchiveFile} gives "mixed mode", without "sharing").
 */
public final class ClassCacheInUse {
    private ClassCacheInUse() {}

    /** The kind the kernel asked for: {@code aot}, {@code cds} or {@code none} (also when started by hand). */
    public static String requested() {
        return requested(System.getProperty(Protocol.CLASS_CACHE_PROPERTY));
    }

    static String requested(String property) {
        return property == null || property.isBlank() ? "none" : property.trim();
    }

    /** The kind in use: the requested one when the JVM shares classes from an archive, else {@code none}. */
    public static String used() {
        return used(requested(), System.getProperty("java.vm.info"));
    }

    static String used(String requested, String vmInfo) {
        if ("none".equals(requested) || vmInfo == null || !vmInfo.contains("sharing")) return "none";
        return requested;
    }
}
