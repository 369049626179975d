package dev.agentkernel.spawn.sandbox;

import dev.agentkernel.spawn.local.AgentDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the bwrap command {@link BwrapCommand} builds, with a probe in place of the runner, and checks from inside that
 * no file of {@code /proc/sys} that reaches the host (nor {@code /proc/sysrq-trigger}) can be opened for writing and that
 * the uid is not 0, at the runner's level:
 * in the shape a root kernel uses (run as root) and in the shape an ordinary user's kernel uses (run as {@code nobody}
 * through setpriv when this JVM is root, as itself otherwise). The agent's tools add a third, nested level
 * ({@code runner/.../ToolSandboxTest}, {@code tests/.../SandboxHardeningE2eTest}).
 */
class SandboxProcSysTest {
    static final Path BWRAP = Path.of("/usr/bin/bwrap");
    static final String PROBE = "echo uid=$(id -u); n=0; w=0; bad=''; "
            + "for f in $(find /proc/sys -type f 2>/dev/null) /proc/sysrq-trigger; do [ -e \"$f\" ] || continue; n=$((n+1)); "
            + "if ( exec 3>>\"$f\" ) 2>/dev/null; then w=$((w+1)); bad=\"$bad $f\"; fi; done; "
            + "echo probed=$n writable=$w; echo \"files:$bad\"; "
            + "echo 1 > /proc/sys/vm/drop_caches 2>/dev/null && echo DROP_CACHES_WRITTEN; echo done";

    Path root;
    AgentDir dir;

    @BeforeEach
    void layout() throws IOException {
        assumeTrue(Files.isExecutable(BWRAP), "needs bubblewrap (apt-get install -y bubblewrap)");
        // Not @TempDir: that is 0700, and the unprivileged case runs bwrap as another user who must reach the agent dir.
        root = Files.createTempDirectory(Path.of("/tmp"), "procsys-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        dir = new AgentDir(root.resolve("agents").resolve("a1"));
        Files.createDirectories(dir.workspace());
        for (Path p : List.of(root.resolve("agents"), dir.path(), dir.workspace())) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.writeString(dir.historyFile(), "");
        if (SandboxUser.kernelUid() == 0) {
            SandboxUser.NOBODY.own(dir.path());
            SandboxUser.NOBODY.ownTree(dir.workspace());
            SandboxUser.NOBODY.own(dir.historyFile());
        }
    }

    @AfterEach
    void clean() throws IOException {
        if (root == null) return;
        try (var all = Files.walk(root)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void asRootTheSandboxDropsToAnOrdinaryUserAndProcSysIsNotWritable() throws Exception {
        assumeTrue(SandboxUser.kernelUid() == 0, "this JVM is not root; the other test covers an ordinary user");
        List<String> cmd = BwrapCommand.of(BWRAP, List.of("/usr/bin/bash", "-c", PROBE), dir, false,
                new BwrapCommand.Options(null, SandboxUser.NOBODY, BwrapCommand.DEFAULT_TMP_BYTES));
        assertNothingWritable(run(cmd), "1000");
    }

    @Test
    void asAnOrdinaryUserProcSysIsNotWritable() throws Exception {
        List<String> cmd = new ArrayList<>();
        if (SandboxUser.kernelUid() == 0) {
            assumeTrue(Files.isExecutable(Path.of(BwrapCommand.SETPRIV)), "needs setpriv (util-linux) to act as an ordinary user");
            cmd.addAll(List.of(BwrapCommand.SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
        }
        cmd.addAll(BwrapCommand.of(BWRAP, List.of("/usr/bin/bash", "-c", PROBE), dir, false,
                new BwrapCommand.Options(null, null, BwrapCommand.DEFAULT_TMP_BYTES)));
        assertNothingWritable(run(cmd), null);
    }

    /**
     * Sysctls that belong to the sandbox's own namespaces (its IPC and pid namespaces, owned by its user namespace):
     * writing them changes nothing outside. Everything else in /proc/sys is the host's and must stay closed. The
     * agent's tools see even these read-only (the nested tool sandbox covers all of /proc/sys).
     */
    static final Pattern OWN_NAMESPACE = Pattern.compile("/proc/sys/(fs/mqueue/.*|kernel/(msg.*|sem|sem_next_id|shm.*|auto_msgmni"
            + "|ns_last_pid|pid_max|msg_next_id|shm_next_id)|user/.*)");

    static void assertNothingWritable(String out, String expectedUid) {
        Matcher uid = Pattern.compile("uid=(\\d+)").matcher(out);
        assertTrue(uid.find(), out);
        assertNotEquals("0", uid.group(1), out);
        if (expectedUid != null) assertEquals(expectedUid, uid.group(1), out);
        Matcher counts = Pattern.compile("probed=(\\d+) writable=(\\d+)").matcher(out);
        assertTrue(counts.find(), out);
        assertTrue(Integer.parseInt(counts.group(1)) > 300, "the probe saw /proc/sys: " + out);
        Matcher files = Pattern.compile("files:(.*)").matcher(out);
        assertTrue(files.find(), out);
        for (String f : files.group(1).trim().split(" ")) {
            if (f.isEmpty()) continue;
            assertTrue(OWN_NAMESPACE.matcher(f).matches(), f + " writes through to the host and is writable: " + out);
        }
        assertFalse(out.contains("DROP_CACHES_WRITTEN"), out);
        assertTrue(out.contains("done"), out);
    }

    static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + out);
        return out;
    }
}
