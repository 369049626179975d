package dev.agentkernel.spawn.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Finding and removing a file system mounted on an agent's workspace (the sandbox backend's workspace quota,
 * docs/sandbox.md "Limits"). Lives here, not in the sandbox package, because every path that removes or reaps an
 * agent directory ({@link AgentDir#delete()}, {@link LocalStateDir}) must unmount first: a workspace left mounted
 * makes its directory impossible to delete ({@code EBUSY}) and keeps a loop device attached.
 */
public final class WorkspaceMounts {
    private static final Logger LOG = Logger.getLogger(WorkspaceMounts.class.getName());
    static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private WorkspaceMounts() {}

    /** Whether something is mounted exactly on {@code dir} in this process's mount namespace. */
    public static boolean isMountPoint(Path dir) {
        return mountPoints().contains(canonical(dir));
    }

    /** Every mount point of this mount namespace, unescaped ({@code \040} is a space in mountinfo). */
    public static List<String> mountPoints() {
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length > 4) out.add(unescape(f[4]));
            }
        } catch (IOException | RuntimeException e) {
            // No /proc (not Linux): nothing we mounted either.
        }
        return out;
    }

    static String canonical(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        try {
            return abs.toRealPath().toString();
        } catch (IOException e) {
            return abs.toString();
        }
    }

    static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * Unmounts whatever is mounted on {@code dir} (nothing to do when nothing is). A mount still busy (a process of
     * the agent not yet gone) is retried for up to 3 s, then detached lazily ({@code umount -l}): the directory is
     * free at once and the loop device goes when its last user does ({@code mount -o loop} sets autoclear).
     * Returns whether {@code dir} is no longer a mount point.
     */
    public static boolean unmount(Path dir) {
        String path = canonical(dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        String last = "";
        // More than one mount may be stacked there (a spawn retried after a failure); take them all off.
        while (mountPoints().contains(path)) {
            String err = run(List.of("umount", path));
            if (err == null) continue;
            last = err;
            if (System.nanoTime() > deadline) {
                String lazy = run(List.of("umount", "-l", path));
                if (lazy != null) {
                    LOG.warning("cannot unmount the workspace " + path + ": " + last + "; umount -l: " + lazy);
                    return false;
                }
                continue;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                run(List.of("umount", "-l", path));
                break;
            }
        }
        return !mountPoints().contains(path);
    }

    /** Runs {@code command}; null when it succeeded, else its exit code and output. */
    static String run(List<String> command) {
        return run(command, 30);
    }

    /** As {@link #run(List)}, waiting up to {@code timeoutSeconds} (mkfs of a large image takes longer than a umount). */
    public static String run(List<String> command, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", command) + " did not finish within " + timeoutSeconds + " s";
            }
            return p.exitValue() == 0 ? null : String.join(" ", command) + " exited with " + p.exitValue() + (out.isEmpty() ? "" : ": " + out);
        } catch (IOException e) {
            return String.join(" ", command) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return String.join(" ", command) + ": interrupted";
        }
    }
}
