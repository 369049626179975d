package dev.agentkernel.spawn.sandbox;

import dev.agentkernel.SpawnFailedException;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds the bubblewrap executable: {@value #BWRAP_ENV} if set, else {@code bwrap} on PATH. */
public final class BwrapLocator {

    /** Host variable naming the bwrap executable, for machines where it is not on PATH. */
    public static final String BWRAP_ENV = "AGENTKERNEL_BWRAP";
    static final String INSTALL_HINT = "install it with `apt-get install bubblewrap` (Debian/Ubuntu; `dnf install bubblewrap` on Fedora),"
            + " set " + BWRAP_ENV + " to its path, or use backend \"local\"";

    private BwrapLocator() {}

    /**
     * The bwrap to run. Looked up at every spawn, so installing bubblewrap while a kernel runs is enough.
     * Throws {@link SpawnFailedException} with the install command when there is none.
     */
    public static Path locate(Map<String, String> hostEnv) {
        String explicit = hostEnv.get(BWRAP_ENV);
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            if (!isExecutable(p)) {
                throw new SpawnFailedException(BWRAP_ENV + "=" + explicit + " is not an executable file; the sandbox backend"
                        + " runs every agent under bubblewrap: fix the path or unset " + BWRAP_ENV + " to look for bwrap on PATH, or "
                        + INSTALL_HINT, List.of());
            }
            return p;
        }
        String path = hostEnv.getOrDefault("PATH", Optional.ofNullable(System.getenv("PATH")).orElse(""));
        return onPath(path).orElseThrow(() -> new SpawnFailedException("bubblewrap (bwrap) is not installed or not on PATH ("
                + path + "); the sandbox backend runs every agent under it: " + INSTALL_HINT, List.of()));
    }

    static Optional<Path> onPath(String path) {
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isBlank()) continue;
            Path candidate = Path.of(dir, "bwrap");
            if (isExecutable(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    private static boolean isExecutable(Path p) {
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }
}
