package dev.agentkernel.config;

import dev.agentkernel.ConfigException;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.team.Resources;

import java.util.Map;
import java.util.Set;

/**
 * Resource limits of every sandboxed agent (docs/sandbox.md, "Limits"). Memory and cpu of one spawn come from its
 * {@code SpawnRequest.resources} (what it takes from its team); these are the defaults when the request names none,
 * plus what a team does not count: processes and the size of the private {@code /tmp}.
 *
 * <pre>
 * sandbox:
 *   limits: {pids: 512, memory: 2Gi, tmp: 256Mi, cgroups: true}
 * </pre>
 *
 * @param pids        most processes and threads at once (the runner's JVM threads count)
 * @param memoryBytes memory of the whole sandbox when the spawn names none (the runner's JVM and every tool)
 * @param tmpBytes    size of the private {@code /tmp}, a tmpfs in host RAM (charged to the memory limit as written)
 * @param cgroups     enforce pids, memory and cpu with cgroups; with {@code false} only {@code /tmp} is bounded
 */
public record SandboxLimits(int pids, long memoryBytes, long tmpBytes, boolean cgroups) {
    public static final SandboxLimits DEFAULTS = new SandboxLimits(512, 2L << 30, 256L << 20, true);
    private static final Set<String> KEYS = Set.of("pids", "memory", "tmp", "cgroups");

    public SandboxLimits {
        if (pids < 16) throw new ConfigException("sandbox.limits.pids must be at least 16 (the runner's JVM alone needs a few dozen threads), got " + pids);
        if (memoryBytes < (64L << 20)) throw new ConfigException("sandbox.limits.memory must be at least 64Mi, got " + Resources.formatBytes(memoryBytes));
        if (tmpBytes < (1L << 20)) throw new ConfigException("sandbox.limits.tmp must be at least 1Mi, got " + Resources.formatBytes(tmpBytes));
    }

    public SandboxLimits withPids(int pids) { return new SandboxLimits(pids, memoryBytes, tmpBytes, cgroups); }

    public SandboxLimits withMemory(String quantity) {
        return new SandboxLimits(pids, parse(quantity, "sandbox.limits.memory"), tmpBytes, cgroups);
    }

    public SandboxLimits withTmp(String quantity) {
        return new SandboxLimits(pids, memoryBytes, parse(quantity, "sandbox.limits.tmp"), cgroups);
    }

    public SandboxLimits withCgroups(boolean cgroups) { return new SandboxLimits(pids, memoryBytes, tmpBytes, cgroups); }

    /** The YAML mapping {@code sandbox.limits}; missing keys keep their defaults. */
    public static SandboxLimits fromMap(Map<String, Object> map, String where) {
        SandboxLimits l = DEFAULTS;
        if (map == null) return l;
        for (String key : map.keySet()) {
            if (!KEYS.contains(key)) throw new ConfigException(where + ": unknown key 'sandbox.limits." + key + "'; known keys: " + KEYS);
        }
        if (map.get("pids") != null) {
            if (!(map.get("pids") instanceof Number n)) throw new ConfigException(where + ": sandbox.limits.pids must be a number, got " + map.get("pids"));
            l = l.withPids(n.intValue());
        }
        if (map.get("memory") != null) l = new SandboxLimits(l.pids, parse(map.get("memory"), where + " sandbox.limits.memory"), l.tmpBytes, l.cgroups);
        if (map.get("tmp") != null) l = new SandboxLimits(l.pids, l.memoryBytes, parse(map.get("tmp"), where + " sandbox.limits.tmp"), l.cgroups);
        if (map.get("cgroups") != null) {
            if (!(map.get("cgroups") instanceof Boolean b)) throw new ConfigException(where + ": sandbox.limits.cgroups must be true or false");
            l = l.withCgroups(b);
        }
        return l;
    }

    private static long parse(Object quantity, String where) {
        try {
            return Resources.parseMemoryBytes(quantity, where);
        } catch (InvalidRequestException e) {
            throw new ConfigException(e.getMessage());
        }
    }
}
