package dev.agentkernel.config;

import dev.agentkernel.ConfigException;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.team.Resources;

import java.util.Map;
import java.util.Set;

/**
 * Resource limits of every sandboxed agent (docs/sandbox.md, "Limits"). Memory and cpu of one spawn come from its
 * {@code SpawnRequest.resources} (what it takes from its team); these are the defaults when the request names none,
 * plus what a team does not count: processes, the size of the private {@code /tmp} and the workspace quota (also
 * per spawn: {@code resources} key {@code workspace}, as on Kubernetes).
 *
 * <pre>
 * sandbox:
 *   limits: {pids: 512, memory: 2Gi, tmp: 256Mi, workspace: 1Gi, cgroups: true}
 * </pre>
 *
 * @param pids              most processes and threads at once (the runner's JVM threads count)
 * @param memoryBytes       memory of the whole sandbox when the spawn names none (the runner's JVM and every tool)
 * @param tmpBytes          size of the private {@code /tmp}, a tmpfs in host RAM (charged to the memory limit as written)
 * @param cgroups           enforce pids, memory and cpu with cgroups; with {@code false} only {@code /tmp} (and the
 *                          workspace) are bounded
 * @param workspaceBytes    size of the agent's workspace, a loop-mounted ext4 image (root kernels only); 0: no quota
 * @param workspaceRequired the quota was asked for explicitly (YAML key or {@link #withWorkspace}): a spawn where it
 *                          cannot be enforced fails instead of running with a notice in the log
 */
public record SandboxLimits(int pids, long memoryBytes, long tmpBytes, boolean cgroups, long workspaceBytes, boolean workspaceRequired) {
    /** The default workspace quota, the same as the kubernetes backend's emptyDir {@code sizeLimit}. */
    public static final long DEFAULT_WORKSPACE = 1L << 30;
    /** Smallest workspace: an ext4 image of 1 MiB still formats and mounts (measured with mke2fs 1.47). */
    public static final long MIN_WORKSPACE = 1L << 20;
    public static final SandboxLimits DEFAULTS = new SandboxLimits(512, 2L << 30, 256L << 20, true, DEFAULT_WORKSPACE, false);
    private static final Set<String> KEYS = Set.of("pids", "memory", "tmp", "workspace", "cgroups");

    public SandboxLimits {
        if (pids < 16) throw new ConfigException("sandbox.limits.pids must be at least 16 (the runner's JVM alone needs a few dozen threads), got " + pids);
        if (memoryBytes < (64L << 20)) throw new ConfigException("sandbox.limits.memory must be at least 64Mi, got " + Resources.formatBytes(memoryBytes));
        if (tmpBytes < (1L << 20)) throw new ConfigException("sandbox.limits.tmp must be at least 1Mi, got " + Resources.formatBytes(tmpBytes));
        checkWorkspace(workspaceBytes, "sandbox.limits.workspace");
    }

    /** The first four limits, with the default workspace quota (1Gi, enforced where this machine can). */
    public SandboxLimits(int pids, long memoryBytes, long tmpBytes, boolean cgroups) {
        this(pids, memoryBytes, tmpBytes, cgroups, DEFAULT_WORKSPACE, false);
    }

    /** A workspace size must be 0 (no quota) or at least {@link #MIN_WORKSPACE}; {@code where} names the setting. */
    public static void checkWorkspace(long bytes, String where) {
        if (bytes != 0 && bytes < MIN_WORKSPACE) {
            throw new ConfigException(where + " must be at least 1Mi (or 0 for no quota), got " + Resources.formatBytes(bytes));
        }
    }

    public SandboxLimits withPids(int pids) { return new SandboxLimits(pids, memoryBytes, tmpBytes, cgroups, workspaceBytes, workspaceRequired); }

    public SandboxLimits withMemory(String quantity) {
        return new SandboxLimits(pids, parse(quantity, "sandbox.limits.memory"), tmpBytes, cgroups, workspaceBytes, workspaceRequired);
    }

    public SandboxLimits withTmp(String quantity) {
        return new SandboxLimits(pids, memoryBytes, parse(quantity, "sandbox.limits.tmp"), cgroups, workspaceBytes, workspaceRequired);
    }

    /**
     * Every agent's workspace quota ("1Gi", "512Mi"; "0" for none). Asked for explicitly, so a spawn on a machine that
     * cannot enforce it (kernel not root, no loop devices) fails and says why.
     */
    public SandboxLimits withWorkspace(String quantity) {
        long bytes = parse(quantity, "sandbox.limits.workspace");
        return new SandboxLimits(pids, memoryBytes, tmpBytes, cgroups, bytes, bytes > 0);
    }

    public SandboxLimits withCgroups(boolean cgroups) { return new SandboxLimits(pids, memoryBytes, tmpBytes, cgroups, workspaceBytes, workspaceRequired); }

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
        if (map.get("memory") != null) l = new SandboxLimits(l.pids, parse(map.get("memory"), where + " sandbox.limits.memory"), l.tmpBytes, l.cgroups, l.workspaceBytes, l.workspaceRequired);
        if (map.get("tmp") != null) l = new SandboxLimits(l.pids, l.memoryBytes, parse(map.get("tmp"), where + " sandbox.limits.tmp"), l.cgroups, l.workspaceBytes, l.workspaceRequired);
        if (map.get("workspace") != null) {
            long bytes = parse(map.get("workspace"), where + " sandbox.limits.workspace");
            l = new SandboxLimits(l.pids, l.memoryBytes, l.tmpBytes, l.cgroups, bytes, bytes > 0);
        }
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
