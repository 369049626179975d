package dev.agentkernel.e2e;

import dev.agentkernel.runner.tools.ToolSandbox;
import dev.agentkernel.spawn.local.AgentDir;
import dev.agentkernel.spawn.sandbox.BwrapCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
 * Issue 12 point 1 as an ordinary user: the kernel's bwrap command (the shape a non-root kernel builds), inside it the
 * runner's nested tool sandbox, inside that the probe of every /proc/sys file. When this JVM is root the whole chain
 * runs as {@code nobody} through setpriv, as a non-root kernel would; {@link SandboxHardeningE2eTest} does the same
 * through a real agent with a root kernel.
 */
class SandboxOrdinaryUserE2eTest {
    static final Path BWRAP = Path.of("/usr/bin/bwrap");
    Path root;

    @BeforeEach
    void layout() throws Exception {
        assumeTrue(Files.isExecutable(BWRAP), "needs bubblewrap");
        root = Files.createTempDirectory(Path.of("/tmp"), "ordinary-");
    }

    @AfterEach
    void clean() throws Exception {
        if (root == null) return;
        try (var all = Files.walk(root)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void anOrdinaryUsersAgentCannotWriteAnyProcSysFileNorItsRunnersLogs() throws Exception {
        AgentDir dir = new AgentDir(root.resolve("agents").resolve("a1"));
        Files.createDirectories(dir.workspace());
        Files.writeString(dir.historyFile(), "{\"role\":\"user\"}\n");
        boolean root = SandboxUserCheck.isRoot();
        if (root) {
            try (var all = Files.walk(this.root)) {
                for (Path p : (Iterable<Path>) all::iterator) {
                    Files.setAttribute(p, "unix:uid", 65534);
                    Files.setAttribute(p, "unix:gid", 65534);
                }
            }
            Files.setPosixFilePermissions(this.root, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        String probe = SandboxHardeningE2eTest.PROBE_PROC + "; echo x >> " + dir.historyFile() + " && echo HISTORY_WRITTEN";
        List<String> tool = ToolSandbox.of(BWRAP, dir.workspace(), dir.path(), null).command(List.of("bash", "-c", probe));
        List<String> cmd = new ArrayList<>();
        if (root) cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
        // the non-root kernel's shape; "java" is the nested sandbox with the probe in it
        List<String> outer = BwrapCommand.of(BWRAP, tool, dir, false, new BwrapCommand.Options(null, null, BwrapCommand.DEFAULT_TMP_BYTES));
        cmd.addAll(outer);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        Matcher uid = Pattern.compile("uid=(\\d+)").matcher(out);
        assertTrue(uid.find(), out);
        assertNotEquals("0", uid.group(1), out);
        Matcher counts = Pattern.compile("probed=(\\d+) writable=(\\d+)").matcher(out);
        assertTrue(counts.find(), out);
        assertTrue(Integer.parseInt(counts.group(1)) > 300, out);
        assertEquals("0", counts.group(2), out);
        assertFalse(out.contains("DROP_CACHES_WRITTEN") || out.contains("CORE_PATTERN_WRITTEN") || out.contains("SYSRQ_WRITTEN"), out);
        assertFalse(out.contains("NEW_USERNS"), out);
        assertFalse(out.contains("HISTORY_WRITTEN"), out);
        assertEquals("{\"role\":\"user\"}\n", Files.readString(dir.historyFile()));
    }

    /** Whether this JVM is root. */
    static final class SandboxUserCheck {
        static boolean isRoot() { return dev.agentkernel.spawn.sandbox.SandboxUser.kernelUid() == 0; }
    }
}
