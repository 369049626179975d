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

    /**
     * This target as the file system resolves it, when a symbolic link on the way leads elsewhere: a glob's
     * directory ({@code build/*} with {@code build -> ~}) or, with {@code followLast}, a write's file or its
     * directory. Null when nothing on the way exists or no link changes the path.
     */
    Target onDisk(boolean followLast) {
        if (unknown()) return null;
        String probe = glob ? base : followLast ? path : parentOf(path);
        if (probe.indexOf(Expander.GLOB) >= 0) return null;
        try {
            java.nio.file.Path p = java.nio.file.Path.of(probe);
            if (!java.nio.file.Files.exists(p)) {
                if (!followLast || glob) return null;
                probe = parentOf(path);
                p = java.nio.file.Path.of(probe);
                if (!java.nio.file.Files.exists(p)) return null;
            }
            String real = p.toRealPath().toString();
            if (real.equals(probe)) return null;
            String rest = path.substring(probe.length());
            String realPath = real.equals("/") ? (rest.isEmpty() ? "/" : rest) : real + rest;
            String realBase = glob ? real : realPath;
            return new Target(realPath, realBase, glob, shown + " (through a link to " + Expander.display(realPath) + ")");
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }
}
