package dev.agentkernel.runner.bus.shell;

/**
 * A path a command acts on, resolved against the working directory the command runs in.
 *
 * @param path  normalized absolute path; a component that holds a glob keeps it (marked), or null when unknown
 * @param base  the part of {@code path} before the first globbed component: the directory whose children a
 *              glob may match, or the path itself
 * @param glob  whether a component is a glob (so children of {@code base} are meant)
 * @param shown what the agent wrote, with the resolution when it differs, for the reason text
 */
record Target(String path, String base, boolean glob, String shown) {
    boolean unknown() {
        return path == null;
    }

    static Target unknown(String shown) {
        return new Target(null, null, false, shown);
    }

    /** Resolves a field (expanded word, see {@link Expander}) against {@code cwd} (null = unknown). */
    static Target resolve(String field, String cwd) {
        String shown = Expander.display(field);
        if (field.indexOf(Expander.UNKNOWN) >= 0) return unknown(shown);
        String raw = field.startsWith("/") ? field : cwd == null ? null : cwd + "/" + field;
        if (raw == null) return unknown(shown + " (in a directory the gate cannot work out)");
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        for (String c : raw.split("/")) {
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (!parts.isEmpty()) parts.removeLast();
                continue;
            }
            parts.addLast(c);
        }
        StringBuilder path = new StringBuilder();
        StringBuilder base = null;
        for (String c : parts) {
            if (base == null && c.indexOf(Expander.GLOB) >= 0) base = new StringBuilder(path);
            path.append('/').append(c);
        }
        String p = path.isEmpty() ? "/" : path.toString();
        String b = base == null ? p : base.isEmpty() ? "/" : base.toString();
        String display = Expander.display(p);
        return new Target(p, b, base != null, display.equals(shown) ? shown : shown + " (" + display + ")");
    }
}
