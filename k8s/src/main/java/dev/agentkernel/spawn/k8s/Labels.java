package dev.agentkernel.spawn.k8s;

import java.util.regex.Pattern;

/** The labels and annotations that mark the kernel's objects, so status, cleanup and kubectl can find them. */
public final class Labels {
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY_VALUE = "agentkernel";
    public static final String AGENT_ID = "agentkernel/agent-id";
    public static final String TEAM = "agentkernel/team";
    /** The kernel instance that started the pod: status() and cleanup() only look at their own. */
    public static final String KERNEL = "agentkernel/kernel";
    public static final String DETACHED = "agentkernel/detached";

    public static final String ANNOTATION_NAME = "agentkernel/agent-name";
    public static final String ANNOTATION_TEAM = "agentkernel/team-id";
    public static final String ANNOTATION_TYPE = "agentkernel/agent-type";
    public static final String ANNOTATION_IMAGE_ID = "agentkernel/image-id";
    public static final String ANNOTATION_CREATED = "agentkernel/created";
    /** All metadata as one JSON object, because metadata keys need not be valid annotation names. */
    public static final String ANNOTATION_METADATA = "agentkernel/metadata";
    /** Prefix of the per-key copy of metadata entries whose key is a valid annotation name (for kubectl). */
    public static final String METADATA_PREFIX = "meta.agentkernel/";

    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final Pattern ANNOTATION_NAME_PART = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

    private Labels() {}

    public static String managedSelector() { return MANAGED_BY + "=" + MANAGED_BY_VALUE; }

    /**
     * A label value for a team id: team ids may end in '.', '_' or '-', which label values may not, so those
     * are trimmed (the exact id is kept in an annotation).
     */
    public static String labelValue(String value) {
        if (value == null) return "";
        String v = value.length() > 63 ? value.substring(0, 63) : value;
        while (!v.isEmpty() && !LABEL_VALUE.matcher(v).matches()) v = v.substring(0, v.length() - 1);
        return v;
    }

    public static boolean isAnnotationName(String key) {
        return key != null && ANNOTATION_NAME_PART.matcher(key).matches();
    }
}
