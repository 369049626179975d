package dev.agentkernel.team;

import dev.agentkernel.InvalidRequestException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ResourcesTest {

    @Test
    void cpuAcceptsNumbersAndMillicores() {
        assertEquals(4000, Resources.parseMilliCpu(4, "cpu"));
        assertEquals(500, Resources.parseMilliCpu(0.5, "cpu"));
        assertEquals(500, Resources.parseMilliCpu("500m", "cpu"));
        assertEquals(1500, Resources.parseMilliCpu("1.5", "cpu"));
        assertEquals(250, Resources.parseMilliCpu(" 250m ", "cpu"));
    }

    @Test
    void cpuRejectsNegativeZeroAndGarbageNamingTheField() {
        for (Object bad : new Object[]{-1, 0, "0m", "abc", "5x", "", "-2", Double.NaN, true}) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> Resources.parseMilliCpu(bad, "team.cpu"), String.valueOf(bad));
            assertTrue(e.getMessage().contains("team.cpu"), e.getMessage());
        }
    }

    @Test
    void memoryAcceptsBytesAndQuantities() {
        assertEquals(512L << 20, Resources.parseMemoryBytes("512Mi", "m"));
        assertEquals(2L << 30, Resources.parseMemoryBytes("2Gi", "m"));
        assertEquals(1_000_000_000L, Resources.parseMemoryBytes("1G", "m"));
        assertEquals(1024, Resources.parseMemoryBytes(1024, "m"));
        assertEquals(1024, Resources.parseMemoryBytes("1024", "m"));
        assertEquals(3L << 29, Resources.parseMemoryBytes("1.5Gi", "m"));
        assertEquals(500_000, Resources.parseMemoryBytes("500k", "m"));
    }

    @Test
    void memoryRejectsUnknownUnitsAndNegatives() {
        for (Object bad : new Object[]{"12XB", "-1Gi", -5, "Gi", "1.2.3Mi", Map.of()}) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> Resources.parseMemoryBytes(bad, "req.memory"), String.valueOf(bad));
            assertTrue(e.getMessage().contains("req.memory"), e.getMessage());
        }
    }

    @Test
    void agentDefaultsToOneCpuAndNoMemory() {
        assertEquals(new Resources(1000, 0), Resources.forAgent(Map.of()));
        assertEquals(new Resources(250, 64L << 20), Resources.forAgent(Map.of("cpu", "250m", "memory", "64Mi")));
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> Resources.forAgent(Map.of("gpu", 1)));
        assertTrue(e.getMessage().contains("'gpu'"), e.getMessage());
    }

    @Test
    void describeIsReadable() {
        assertEquals("1.5 cpu, 512Mi memory", new Resources(1500, 512L << 20).describe());
        assertEquals("2 cpu", new Resources(2000, 0).describe());
    }

    /** resources.workspace is a quota for the backend, taken out before the team's cpu and memory are read. */
    @Test
    void workspaceIsTakenOutOfTheTeamResources() {
        java.util.Map<String, Object> asked = new java.util.HashMap<>(java.util.Map.of("cpu", 2, "workspace", "16Mi"));
        assertEquals(16L << 20, Resources.takeWorkspaceBytes(asked));
        assertEquals(java.util.Map.of("cpu", 2), asked);
        assertEquals(2000, Resources.forAgent(asked).milliCpu());
        assertEquals(-1, Resources.takeWorkspaceBytes(new java.util.HashMap<>()), "not named");
        assertEquals(0, Resources.takeWorkspaceBytes(new java.util.HashMap<>(java.util.Map.of("workspace", 0))), "no quota");
        var bad = assertThrows(dev.agentkernel.InvalidRequestException.class,
                () -> Resources.takeWorkspaceBytes(new java.util.HashMap<>(java.util.Map.of("workspace", "lots"))));
        assertTrue(bad.getMessage().contains("SpawnRequest.resources.workspace"), bad.getMessage());
    }
}
