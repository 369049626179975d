package dev.agentkernel.spawn.k8s;

import dev.agentkernel.ConfigException;

import java.util.Locale;

/**
 * How the kernel reaches an agent's pod. {@code DIRECT} dials the pod IP, which works only from inside the
 * cluster network (a kernel in a JupyterHub pod); {@code PORT_FORWARD} tunnels through the API server, which
 * works from a laptop but adds a hop.
 */
public enum Access {
    DIRECT("direct"),
    PORT_FORWARD("port-forward");

    private final String key;

    Access(String key) { this.key = key; }

    public String key() { return key; }

    /** The config value; null means the default, {@code port-forward}, which works from anywhere. */
    public static Access parse(String value) {
        if (value == null || value.isBlank()) return PORT_FORWARD;
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (Access a : values()) {
            if (a.key.equals(v)) return a;
        }
        throw new ConfigException("config key 'access' = '" + value + "' is not supported; use 'direct' (kernel runs inside the cluster)"
                + " or 'port-forward' (kernel outside the cluster, through the API server)");
    }
}
