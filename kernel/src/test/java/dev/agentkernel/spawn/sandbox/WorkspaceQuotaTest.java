package dev.agentkernel.spawn.sandbox;

import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.SpawnFailedException;
import dev.agentkernel.config.SandboxLimits;
import dev.agentkernel.spawn.local.AgentDir;
import dev.agentkernel.spawn.local.WorkspaceMounts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The workspace quota: what a spawn does where it can and cannot be enforced, and the image mount itself (as root). */
class WorkspaceQuotaTest {
    static final String NO_ROOT = "the kernel is not root (a loop mount needs root)";

    @Test
    void whereItCanBeEnforcedTheSpawnOrElseTheConfigSaysHowBig() {
        assertEquals(new WorkspaceQuota.Mount(1L << 30), WorkspaceQuota.plan(SandboxLimits.DEFAULTS, -1, null));
        assertEquals(new WorkspaceQuota.Mount(8L << 20), WorkspaceQuota.plan(SandboxLimits.DEFAULTS, 8L << 20, null));
        assertEquals(new WorkspaceQuota.Mount(16L << 20), WorkspaceQuota.plan(SandboxLimits.DEFAULTS.withWorkspace("16Mi"), -1, null));
        assertEquals(new WorkspaceQuota.Skip(), WorkspaceQuota.plan(SandboxLimits.DEFAULTS.withWorkspace("16Mi"), 0, null), "resources workspace 0");
        assertEquals(new WorkspaceQuota.Skip(), WorkspaceQuota.plan(SandboxLimits.DEFAULTS.withWorkspace("0"), -1, null), "limits workspace 0");
        InvalidRequestException tiny = assertThrows(InvalidRequestException.class, () -> WorkspaceQuota.plan(SandboxLimits.DEFAULTS, 4096, null));
        assertTrue(tiny.getMessage().contains("SpawnRequest.resources.workspace") && tiny.getMessage().contains("1Mi"), tiny.getMessage());
    }

    @Test
    void theDefaultQuotaThatCannotBeEnforcedIsOneNoticeAnExplicitOneFailsTheSpawn() {
        WorkspaceQuota.Plan plan = WorkspaceQuota.plan(SandboxLimits.DEFAULTS, -1, NO_ROOT);
        WorkspaceQuota.Notice notice = assertInstanceOf(WorkspaceQuota.Notice.class, plan);
        assertTrue(notice.message().contains("not enforced") && notice.message().contains(NO_ROOT) && notice.message().contains("workspace: 0"),
                notice.message());
        assertFalse(notice.message().contains("\n"), "one line");

        SpawnFailedException config = assertThrows(SpawnFailedException.class,
                () -> WorkspaceQuota.plan(SandboxLimits.DEFAULTS.withWorkspace("16Mi"), -1, NO_ROOT));
        assertTrue(config.getMessage().contains("16Mi") && config.getMessage().contains("sandbox.limits.workspace")
                && config.getMessage().contains(NO_ROOT) && config.getMessage().contains("workspace: 0"), config.getMessage());
        SpawnFailedException spawn = assertThrows(SpawnFailedException.class,
                () -> WorkspaceQuota.plan(SandboxLimits.DEFAULTS, 8L << 20, NO_ROOT));
        assertTrue(spawn.getMessage().contains("SpawnRequest.resources.workspace") && spawn.getMessage().contains(NO_ROOT), spawn.getMessage());
        assertEquals(new WorkspaceQuota.Skip(), WorkspaceQuota.plan(SandboxLimits.DEFAULTS.withWorkspace("16Mi"), 0, NO_ROOT),
                "asking for no quota is always possible");
    }

    @Test
    void whyItCannotBeEnforcedHere() {
        String why = WorkspaceQuota.unavailable();
        if (SandboxUser.kernelUid() != 0) assertEquals(NO_ROOT, why);
        else if (!Files.exists(Path.of("/dev/loop-control"))) assertTrue(why.contains("loop"), why);
    }

    /** As root with loop devices: ENOSPC past the size, files kept in the image across unmount and mount again. */
    @Test
    void theImageBoundsWritesAndKeepsTheFiles(@TempDir Path tmp) throws Exception {
        assumeTrue(WorkspaceQuota.unavailable() == null, "cannot mount here: " + WorkspaceQuota.unavailable());
        AgentDir dir = new AgentDir(Files.createDirectories(tmp.resolve("agent")));
        Files.createDirectory(dir.workspace());
        try {
            WorkspaceQuota.mount(dir, 4L << 20);
            assertTrue(WorkspaceMounts.isMountPoint(dir.workspace()));
            try (var listing = Files.list(dir.workspace())) {
                assertEquals(List.of(), listing.toList(), "no lost+found");
            }
            Files.writeString(dir.workspace().resolve("kept.txt"), "kept");
            IOException full = assertThrows(IOException.class, () -> Files.write(dir.workspace().resolve("big"), new byte[8 << 20]));
            assertTrue(full.getMessage().contains("No space left on device"), full.getMessage());
            assertTrue(WorkspaceMounts.unmount(dir.workspace()));
            assertFalse(WorkspaceMounts.isMountPoint(dir.workspace()));
            assertFalse(Files.exists(dir.workspace().resolve("kept.txt")), "the files are in the image, not the directory");
            WorkspaceQuota.mount(dir, 4L << 20); // the image exists: mounted again, not formatted
            assertEquals("kept", Files.readString(dir.workspace().resolve("kept.txt")));
        } finally {
            WorkspaceMounts.unmount(dir.workspace());
        }
        assertFalse(WorkspaceMounts.isMountPoint(dir.workspace()));
    }

    /** The spawn-time cost of a 1 GiB quota: mkfs + mount, and the unmount at kill. Printed for docs/sandbox.md. */
    @Test
    void costOfTheMount(@TempDir Path tmp) throws Exception {
        assumeTrue(WorkspaceQuota.unavailable() == null, "cannot mount here: " + WorkspaceQuota.unavailable());
        List<Long> mount = new ArrayList<>(), unmount = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            AgentDir dir = new AgentDir(Files.createDirectories(tmp.resolve("a" + i)));
            Files.createDirectory(dir.workspace());
            long t0 = System.nanoTime();
            try {
                WorkspaceQuota.mount(dir, 1L << 30);
                mount.add((System.nanoTime() - t0) / 1_000_000);
                assertEquals(1L << 30, Files.size(dir.workspaceImage()), "a sparse file of the quota's size");
            } finally {
                long t1 = System.nanoTime();
                WorkspaceMounts.unmount(dir.workspace());
                unmount.add((System.nanoTime() - t1) / 1_000_000);
            }
        }
        System.out.println("1Gi workspace quota: mkfs+mount ms " + mount + ", umount ms " + unmount);
    }

    /** Through the launcher: where quotas cannot be mounted, one WARNING line per kernel, or a typed failure when asked for. */
    @Test
    void theLauncherLogsOnceOrFails(@TempDir Path tmp) throws Exception {
        List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(SandboxLauncher.class.getName());
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override public void publish(java.util.logging.LogRecord r) { logged.add(r.getLevel() + " " + r.getMessage()); }
            @Override public void flush() {}
            @Override public void close() {}
        };
        log.addHandler(h);
        try {
            AgentDir dir = new AgentDir(Files.createDirectories(tmp.resolve("a")));
            Files.createDirectory(dir.workspace());
            SandboxLauncher launcher = new SandboxLauncher(java.util.Map.of()).withoutWorkspaceMounts(NO_ROOT);
            launcher.prepareWorkspace(dir, -1);
            launcher.prepareWorkspace(dir, -1);
            assertFalse(WorkspaceMounts.isMountPoint(dir.workspace()));
            assertFalse(Files.exists(dir.workspaceImage()));
            assertEquals(1, logged.size(), "said once per kernel: " + logged);
            assertTrue(logged.getFirst().startsWith("WARNING ") && logged.getFirst().contains(NO_ROOT), logged.toString());
            launcher.prepareWorkspace(dir, 0); // none asked for: nothing to say
            assertEquals(1, logged.size());
            SpawnFailedException perSpawn = assertThrows(SpawnFailedException.class, () -> launcher.prepareWorkspace(dir, 8L << 20));
            assertTrue(perSpawn.getMessage().contains("8Mi") && perSpawn.getMessage().contains(NO_ROOT), perSpawn.getMessage());
            SandboxLauncher strict = new SandboxLauncher(java.util.Map.of(), dev.agentkernel.config.SandboxSettings.defaults()
                    .limits(SandboxLimits.DEFAULTS.withWorkspace("2Gi"))).withoutWorkspaceMounts(NO_ROOT);
            SpawnFailedException config = assertThrows(SpawnFailedException.class, () -> strict.prepareWorkspace(dir, -1));
            assertTrue(config.getMessage().contains("2Gi") && config.getMessage().contains("sandbox.limits.workspace"), config.getMessage());
            launcher.close();
            strict.close();
        } finally {
            log.removeHandler(h);
        }
    }
}
