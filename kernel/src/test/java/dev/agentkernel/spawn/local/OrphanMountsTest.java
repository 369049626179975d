package dev.agentkernel.spawn.local;

import dev.agentkernel.AgentState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link LocalStateDir#releaseOrphanMounts()}: the workspace of an agent whose runner and kernel are gone is unmounted
 * (a SIGKILLed kernel's); one whose runner runs (detached) or whose kernel lives is left. Root with loop devices only.
 */
class OrphanMountsTest {

    static void mountImage(AgentDir dir) {
        assertNull(WorkspaceMounts.run(List.of("truncate", "-s", "2M", dir.workspaceImage().toString())));
        assertNull(WorkspaceMounts.run(List.of("mkfs.ext4", "-q", "-F", dir.workspaceImage().toString())));
        assertNull(WorkspaceMounts.run(List.of("mount", "-o", "loop", dir.workspaceImage().toString(), dir.workspace().toString())));
    }

    static AgentDir agent(Path state, String id, long pid, long ownerPid) throws Exception {
        AgentDir dir = new AgentDir(Files.createDirectories(state.resolve("agents").resolve(id)));
        Files.createDirectory(dir.workspace());
        Long pidStart = pid == 0 ? null : AgentRecord.startMillis(ProcessHandle.of(pid).orElseThrow());
        Long ownerStart = ownerPid == 0 ? null : AgentRecord.startMillis(ProcessHandle.of(ownerPid).orElseThrow());
        dir.writeRecord(new AgentRecord(id, id, "", "openclaw", null, null, AgentState.RUNNING, pid, pidStart, 1,
                ownerPid, ownerStart, pid != 0 && ownerPid == 0, "2026-01-01T00:00:00Z"));
        mountImage(dir);
        return dir;
    }

    @Test
    void onlyTheWorkspacesOfGoneAgentsAreUnmounted(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/loop-control")) && "root".equals(System.getProperty("user.name")), "needs root and loop devices");
        Path state = tmp.resolve("state");
        long me = ProcessHandle.current().pid();
        AgentDir orphan = agent(state, "orphan", 0, 0);          // runner and kernel gone (pids 0: nothing alive)
        AgentDir detached = agent(state, "detached", me, 0);     // its runner still runs
        AgentDir owned = agent(state, "owned", 0, me);           // its kernel lives and unmounts at kill
        try {
            List<Path> released = new LocalStateDir(state).releaseOrphanMounts();
            assertEquals(List.of(orphan.workspace().toRealPath()), released.stream().map(p -> {
                try { return p.toRealPath(); } catch (Exception e) { throw new AssertionError(e); }
            }).toList());
            assertFalse(WorkspaceMounts.isMountPoint(orphan.workspace()));
            assertTrue(WorkspaceMounts.isMountPoint(detached.workspace()));
            assertTrue(WorkspaceMounts.isMountPoint(owned.workspace()));
            owned.delete(); // deleting a directory unmounts its workspace first
            assertFalse(Files.exists(owned.path()));
        } finally {
            for (AgentDir d : List.of(orphan, detached, owned)) WorkspaceMounts.unmount(d.workspace());
        }
        assertFalse(WorkspaceMounts.isMountPoint(detached.workspace()));
    }
}
