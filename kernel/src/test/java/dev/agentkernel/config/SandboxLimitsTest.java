package dev.agentkernel.config;

import dev.agentkernel.ConfigException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@code sandbox.limits}: defaults, YAML, the builder methods and the errors that name the fix. */
class SandboxLimitsTest {

    @Test
    void defaultsAndYaml() {
        assertEquals(SandboxLimits.DEFAULTS, SandboxSettings.defaults().limits());
        assertEquals(new SandboxLimits(512, 2L << 30, 256L << 20, true), SandboxLimits.DEFAULTS);
        KernelConfig c = KernelConfigLoader.parse("backend: sandbox\nsandbox:\n  limits: {pids: 200, memory: 1Gi, tmp: 64Mi, cgroups: false}\n", "t.yaml");
        assertEquals(new SandboxLimits(200, 1L << 30, 64L << 20, false), c.sandbox().limits());
        KernelConfig partial = KernelConfigLoader.parse("backend: sandbox\nsandbox:\n  limits: {pids: 100}\n", "t.yaml");
        assertEquals(SandboxLimits.DEFAULTS.withPids(100), partial.sandbox().limits());
        assertEquals(SandboxLimits.DEFAULTS, KernelConfigLoader.parse("backend: sandbox\nsandbox: {network: host}\n", "t.yaml").sandbox().limits());
        assertEquals(List.of(), new SandboxSettings(SandboxSettings.Network.ISOLATED, List.of()).allow(), "the two-argument form still works");
    }

    /** sandbox.limits.workspace: 1Gi by default and best effort; set explicitly it is required; 0 turns it off. */
    @Test
    void workspaceQuota() {
        assertEquals(1L << 30, SandboxLimits.DEFAULTS.workspaceBytes());
        assertFalse(SandboxLimits.DEFAULTS.workspaceRequired(), "the default quota is enforced where the machine can");
        assertEquals(SandboxLimits.DEFAULTS, new SandboxLimits(512, 2L << 30, 256L << 20, true), "the four-limit form keeps the default quota");
        SandboxLimits yaml = KernelConfigLoader.parse("sandbox:\n  limits: {workspace: 16Mi}\n", "t.yaml").sandbox().limits();
        assertEquals(16L << 20, yaml.workspaceBytes());
        assertTrue(yaml.workspaceRequired(), "asked for in the config: a spawn that cannot enforce it fails");
        assertEquals(yaml, SandboxLimits.DEFAULTS.withWorkspace("16Mi"));
        SandboxLimits off = KernelConfigLoader.parse("sandbox:\n  limits: {workspace: 0}\n", "t.yaml").sandbox().limits();
        assertEquals(0, off.workspaceBytes());
        assertFalse(off.workspaceRequired());
        assertEquals(16L << 20, SandboxLimits.DEFAULTS.withWorkspace("16Mi").withPids(64).withTmp("8Mi").withMemory("1Gi").withCgroups(false)
                .workspaceBytes(), "the other with* keep the quota");
        ConfigException tiny = assertThrows(ConfigException.class, () -> SandboxLimits.DEFAULTS.withWorkspace("512Ki"));
        assertTrue(tiny.getMessage().contains("sandbox.limits.workspace") && tiny.getMessage().contains("1Mi"), tiny.getMessage());
        ConfigException word = assertThrows(ConfigException.class, () -> KernelConfigLoader.parse("sandbox:\n  limits: {workspace: big}\n", "t.yaml"));
        assertTrue(word.getMessage().contains("sandbox.limits.workspace"), word.getMessage());
    }

    @Test
    void badLimitsNameTheProblem() {
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> KernelConfigLoader.parse("sandbox:\n  limits: {procs: 10}\n", "t.yaml"));
        assertTrue(unknown.getMessage().contains("sandbox.limits.procs") && unknown.getMessage().contains("pids"), unknown.getMessage());
        ConfigException memory = assertThrows(ConfigException.class,
                () -> KernelConfigLoader.parse("sandbox:\n  limits: {memory: lots}\n", "t.yaml"));
        assertTrue(memory.getMessage().contains("512Mi"), memory.getMessage());
        assertThrows(ConfigException.class, () -> SandboxLimits.DEFAULTS.withPids(3));
        assertThrows(ConfigException.class, () -> SandboxLimits.DEFAULTS.withMemory("1Mi"));
        assertThrows(ConfigException.class, () -> KernelConfigLoader.parse("sandbox:\n  limits: 5\n", "t.yaml"));
    }
}
