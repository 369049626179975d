package dev.agentkernel.spawn.k8s;

import dev.agentkernel.ConfigException;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.config.KernelConfigLoader;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class KubernetesSettingsTest {

    static KubernetesSettings of(String yaml) {
        return KubernetesSettings.from(KernelConfigLoader.parse(yaml, "test.yaml"), "ctx-ns", Map.of(), Duration.ofSeconds(30));
    }

    @Test
    void readsTheKubernetesKeys() {
        KubernetesSettings s = of("""
                backend: kubernetes
                namespace: agentkernel-0
                base_image: agentkernel/runner:0.1.0
                registry_url: registry.example.com/agents
                debug: true
                access: direct
                image_pull_secrets: [regcred]
                service_account: agents
                node_selector: {pool: agents}
                resources: {cpu: "500m", memory: 512Mi}
                """);
        assertEquals("agentkernel-0", s.namespace());
        assertEquals(Access.DIRECT, s.access());
        assertTrue(s.debug());
        assertEquals(List.of("regcred"), s.imagePullSecrets());
        assertEquals(Map.of("pool", "agents"), s.nodeSelector());
        assertEquals("agentkernel/runner:0.1.0", s.imageFor(null));
        assertEquals("registry.example.com/agents/worker", s.imageFor("worker"));
        assertEquals("ghcr.io/x/worker:2", s.imageFor("ghcr.io/x/worker:2"));
    }

    @Test
    void defaultsToPortForwardAndTheKubeconfigNamespace() {
        KubernetesSettings s = of("base_image: img:1\n");
        assertEquals(Access.PORT_FORWARD, s.access());
        assertEquals("ctx-ns", s.namespace());
    }

    @Test
    void badValuesNameTheKey() {
        var access = assertThrows(ConfigException.class, () -> of("access: tunnel\n"));
        assertTrue(access.getMessage().contains("'access'") && access.getMessage().contains("port-forward"), access.getMessage());
        var ns = assertThrows(ConfigException.class, () -> of("namespace: Not_Valid\n"));
        assertTrue(ns.getMessage().contains("'namespace'"), ns.getMessage());
        var res = assertThrows(ConfigException.class, () -> of("resources: {cpu: lots}\n"));
        assertTrue(res.getMessage().contains("'resources'"), res.getMessage());
    }

    @Test
    void missingImageSaysWhichKeyToSet() {
        var e = assertThrows(ConfigException.class, () -> of("namespace: a\n").imageFor(null));
        assertTrue(e.getMessage().contains("base_image"), e.getMessage());
        var bare = assertThrows(InvalidRequestException.class, () -> of("base_image: x:1\n").imageFor("worker"));
        assertTrue(bare.getMessage().contains("registry_url"), bare.getMessage());
    }

    @Test
    void theExampleConfigIsValid() {
        var cfg = KernelConfigLoader.load(java.nio.file.Path.of("..", "examples", "agentkernel.yaml"));
        assertEquals("kubernetes", cfg.backend());
        KubernetesSettings s = KubernetesSettings.from(cfg, null, Map.of(), Duration.ofSeconds(cfg.spawnTimeoutSeconds()));
        assertEquals("agentkernel-0", s.namespace());
        assertEquals("agentkernel/runner:0.1.0", s.imageFor(null));
        assertEquals(Access.PORT_FORWARD, s.access());
        assertFalse(s.debug());
    }

    @Test
    void toStringNeverShowsHostEnvValues() {
        var s = KubernetesSettings.from(KernelConfigLoader.parse("namespace: a\n", "t"), null, Map.of("LLM_API_KEY", "sk-secret"), Duration.ofSeconds(1));
        assertFalse(s.toString().contains("sk-secret"), s.toString());
        assertTrue(s.toString().contains("LLM_API_KEY"));
    }
}
