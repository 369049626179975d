package dev.agentkernel.spawn.k8s;

import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.team.Resources;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What bounds an agent's pod besides cpu: its memory limit, the {@code /workspace} emptyDir's {@code sizeLimit}
 * and the container's {@code ephemeral-storage} limit (workspace, /tmp, logs and the writable layer together).
 * Each has a default, overridden by the config's {@code resources} and then by the SpawnRequest's
 * {@code resources} (keys {@code memory}, {@code workspace}, {@code ephemeral_storage}).
 */
public record PodLimits(long memoryBytes, long workspaceBytes, long ephemeralStorageBytes) {
    public static final String WORKSPACE_KEY = "workspace";
    public static final String EPHEMERAL_KEY = "ephemeral_storage";
    /** A runner JVM with SerialGC uses ~100 MiB; the rest is for the agent's tools (a pip install, a build). */
    public static final long DEFAULT_MEMORY = 1L << 30;
    public static final long DEFAULT_WORKSPACE = 1L << 30;
    /** Workspace + /tmp (256Mi) + container logs and writable layer. */
    public static final long DEFAULT_EPHEMERAL = 2L << 30;

    /**
     * The runner container's share of the agent's memory: 384 MiB, at most half. The rest is the tools container's
     * (its 32 MiB-heap server and the commands). Measured in the test cluster after three turns, without a memory
     * limit (heap sized from the host's RAM, so lazily collected): runner 183 MiB resident, tools server 68 MiB. In
     * 384 MiB the runner's heap is at most 192 MiB (MaxRAMPercentage=50), leaving ~190 MiB for metaspace, code and threads.
     */
    public static final long RUNNER_MEMORY = 384L << 20;
    /** The runner's state emptyDir (history.jsonl, agentbus.jsonl). */
    public static final long STATE_BYTES = 256L << 20;
    /** The runner container's ephemeral storage: its state, its /tmp (256Mi) and its logs. */
    public static final long RUNNER_EPHEMERAL = 768L << 20;

    public long runnerMemoryBytes() {
        return Math.min(RUNNER_MEMORY, memoryBytes / 2);
    }

    public long toolsMemoryBytes() {
        return memoryBytes - runnerMemoryBytes();
    }

    /** The runner's cpu request: a quarter of the agent's, at most 250m, at least 1m; the tools container requests the rest. */
    public static long runnerMilliCpu(long milliCpu) {
        return Math.max(1, Math.min(250, milliCpu / 4));
    }

    /** The keys only the kubernetes backend knows, taken out of {@code asked} (which is then what {@link Resources} reads). */
    public static PodLimits take(Map<String, Object> asked, long memoryBytesOrZero) {
        Object ws = asked.remove(WORKSPACE_KEY);
        Object eph = asked.remove(EPHEMERAL_KEY);
        long workspace = ws == null ? DEFAULT_WORKSPACE : Resources.parseMemoryBytes(ws, "resources." + WORKSPACE_KEY);
        long ephemeral = eph == null ? Math.max(DEFAULT_EPHEMERAL, workspace + (256L << 20) + (256L << 20))
                : Resources.parseMemoryBytes(eph, "resources." + EPHEMERAL_KEY);
        if (ephemeral < workspace) {
            throw new InvalidRequestException("resources." + EPHEMERAL_KEY + " (" + Resources.formatBytes(ephemeral) + ") is smaller than resources."
                    + WORKSPACE_KEY + " (" + Resources.formatBytes(workspace) + "); the workspace counts against the pod's ephemeral storage");
        }
        return new PodLimits(memoryBytesOrZero > 0 ? memoryBytesOrZero : DEFAULT_MEMORY, workspace, ephemeral);
    }

    /** The resources map without the kubernetes-only keys, for checking the config's {@code resources} once. */
    static Map<String, Object> withoutPodKeys(Map<String, Object> resources) {
        Map<String, Object> m = new LinkedHashMap<>(resources);
        take(m, 0);
        return m;
    }
}
