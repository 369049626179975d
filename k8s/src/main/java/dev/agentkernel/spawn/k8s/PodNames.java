package dev.agentkernel.spawn.k8s;

import java.util.Locale;

/**
 * Pod names {@code agent-<name>-<id prefix>}: lower case, letters, digits and '-', at most 63 characters
 * (a DNS label, because the pod name becomes its host name). The id prefix keeps two agents with the same
 * name apart.
 */
public final class PodNames {
    static final int MAX = 63;
    static final int ID_PREFIX = 8;
    private static final String PREFIX = "agent-";

    private PodNames() {}

    public static String forAgent(String name, String agentId) {
        String id = agentId.replace("-", "").toLowerCase(Locale.ROOT);
        id = id.substring(0, Math.min(ID_PREFIX, id.length()));
        String safe = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        int room = MAX - PREFIX.length() - 1 - id.length();
        if (safe.length() > room) safe = safe.substring(0, room).replaceAll("-+$", "");
        return safe.isEmpty() ? PREFIX + id : PREFIX + safe + "-" + id;
    }

    public static String configMap(String podName) { return podName + "-config"; }

    public static String secret(String podName) { return podName + "-secret"; }
}
