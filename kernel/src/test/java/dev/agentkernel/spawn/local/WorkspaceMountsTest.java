package dev.agentkernel.spawn.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Reading /proc/self/mountinfo; unmounting what is not mounted is a no-op (every kill calls it). */
class WorkspaceMountsTest {

    @Test
    void mountinfoEscapes() {
        assertEquals("/a b/c\td", WorkspaceMounts.unescape("/a\\040b/c\\011d"));
        assertEquals("/plain\\x", WorkspaceMounts.unescape("/plain\\x"));
    }

    @Test
    void findsMountPoints(@TempDir Path tmp) {
        assertTrue(WorkspaceMounts.isMountPoint(Path.of("/proc")), WorkspaceMounts.mountPoints().toString());
        assertFalse(WorkspaceMounts.isMountPoint(tmp.resolve("workspace")));
        assertTrue(WorkspaceMounts.unmount(tmp.resolve("workspace")), "nothing mounted: nothing to do");
    }
}
