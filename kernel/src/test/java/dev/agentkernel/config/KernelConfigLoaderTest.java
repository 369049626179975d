package dev.agentkernel.config;

import dev.agentkernel.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class KernelConfigLoaderTest {

    @TempDir Path tmp;

    @Test
    void readsTheSeedKeysAndOurs() throws Exception {
        Path file = tmp.resolve("agentkernel.yaml");
        Files.writeString(file, """
                backend: kubernetes
                namespace: agentkernel-0
                base_image: your-registry.example.com/agentkernel:latest
                kubeconfig: ~/.kube/config
                registry_url: your-registry.example.com
                debug: true
                state_dir: /var/tmp/ak
                spawn_timeout_seconds: 45
                image_pull_secrets: [regcred]
                service_account: agents
                node_selector: {pool: agents}
                tolerations:
                  - {key: dedicated, operator: Equal, value: agents, effect: NoSchedule}
                resources: {cpu: "500m", memory: 512Mi}
                access: port-forward
                """);
        KernelConfig c = KernelConfigLoader.load(file);
        assertEquals("kubernetes", c.backend());
        assertEquals("agentkernel-0", c.namespace());
        assertEquals("your-registry.example.com/agentkernel:latest", c.baseImage());
        assertEquals(Path.of(System.getProperty("user.home"), ".kube/config"), c.kubeconfig());
        assertEquals("your-registry.example.com", c.registryUrl());
        assertTrue(c.debug());
        assertEquals(Path.of("/var/tmp/ak"), c.stateDir());
        assertEquals(45, c.spawnTimeoutSeconds());
        assertEquals(List.of("regcred"), c.imagePullSecrets());
        assertEquals("agents", c.serviceAccount());
        assertEquals(Map.of("pool", "agents"), c.nodeSelector());
        assertEquals("NoSchedule", c.tolerations().getFirst().get("effect"));
        assertEquals("500m", c.resources().get("cpu"));
        assertEquals("port-forward", c.access());
    }

    @Test
    void registryKeysAreReadAndThePasswordIsNeverShown() {
        KernelConfig c = KernelConfigLoader.parse("""
                registry_url: 10.0.0.5:5000
                insecure_registry: true
                registry_username: ci
                registry_password: "s3cr3t-pw"
                """, "k.yaml");
        assertTrue(c.insecureRegistry());
        assertEquals("ci", c.registryUsername());
        assertEquals("s3cr3t-pw", c.registryPassword());
        assertFalse(c.toString().contains("s3cr3t-pw"), c.toString());
        assertTrue(c.toString().contains("registryPassword=<redacted>"), c.toString());
        assertFalse(KernelConfig.empty().insecureRegistry());
        assertNull(KernelConfig.empty().registryPassword());
        // A password YAML reads as a number must be quoted; the message must not echo it.
        ConfigException e = assertThrows(ConfigException.class, () -> KernelConfigLoader.parse("registry_password: 918273645\n", "k.yaml"));
        assertTrue(e.getMessage().contains("'registry_password' must be a string"), e.getMessage());
        assertFalse(e.getMessage().contains("918273645"), e.getMessage());
    }

    @Test
    void emptyFileIsAnEmptyConfig() {
        KernelConfig c = KernelConfigLoader.parse("", "x.yaml");
        assertNull(c.backend());
        assertFalse(c.debug());
        assertTrue(c.nodeSelector().isEmpty());
    }

    @Test
    void unknownKeyIsNamed() {
        ConfigException e = assertThrows(ConfigException.class, () -> KernelConfigLoader.parse("backend: local\nnamspace: x\n", "k.yaml"));
        assertTrue(e.getMessage().contains("'namspace'") && e.getMessage().contains("k.yaml") && e.getMessage().contains("namespace"), e.getMessage());
    }

    @Test
    void wrongTypesAreNamed() {
        record Case(String yaml, String key) {}
        for (Case c : List.of(new Case("debug: maybe", "debug"), new Case("spawn_timeout_seconds: soon", "spawn_timeout_seconds"),
                new Case("spawn_timeout_seconds: -3", "spawn_timeout_seconds"), new Case("backend: [local]", "backend"),
                new Case("image_pull_secrets: regcred", "image_pull_secrets"), new Case("node_selector: [a]", "node_selector"),
                new Case("tolerations: {a: b}", "tolerations"), new Case("resources: 4", "resources"),
                new Case("namespace: {a: 1}", "namespace"), new Case("insecure_registry: yes please", "insecure_registry"),
                new Case("registry_username: [a]", "registry_username"), new Case("warm_pool: many", "warm_pool"),
                new Case("warm_pool: -1", "warm_pool"), new Case("warm_pool: 65", "warm_pool"))) {
            ConfigException e = assertThrows(ConfigException.class, () -> KernelConfigLoader.parse(c.yaml(), "k.yaml"), c.yaml());
            assertTrue(e.getMessage().contains("'" + c.key() + "'"), e.getMessage());
        }
    }

    @Test
    void warmPoolIsReadAndAbsentMeansNone() {
        assertEquals(3, KernelConfigLoader.parse("warm_pool: 3\n", "k.yaml").warmPool());
        assertNull(KernelConfigLoader.parse("backend: local\n", "k.yaml").warmPool());
        assertEquals(2, KernelConfig.empty().withWarmPool(2).withSandbox(null).warmPool(), "kept through the with-ers");
        assertTrue(KernelConfigLoader.parse("warm_pool: 3\n", "k.yaml").toString().contains("warmPool=3"));
    }

    @Test
    void missingFileAndBadYamlNameThePath() {
        Path missing = tmp.resolve("nope.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> KernelConfigLoader.load(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        ConfigException notMap = assertThrows(ConfigException.class, () -> KernelConfigLoader.parse("- a\n- b\n", "list.yaml"));
        assertTrue(notMap.getMessage().contains("list.yaml"));
        ConfigException broken = assertThrows(ConfigException.class, () -> KernelConfigLoader.parse("backend: [unclosed\n", "bad.yaml"));
        assertTrue(broken.getMessage().contains("bad.yaml") && broken.getMessage().contains("not valid YAML"), broken.getMessage());
    }

    @Test
    void sandboxNetworkAndAllowListAreRead() {
        KernelConfig c = KernelConfigLoader.parse("sandbox: {network: isolated, allow: [\"pypi.org:443\"]}\n", "k.yaml");
        assertEquals(new SandboxSettings(SandboxSettings.Network.ISOLATED, List.of("pypi.org:443")), c.sandbox());
        assertTrue(c.sandbox().isolated());
        assertEquals(List.of("pypi.org:443"), c.sandbox().allow());

        KernelConfig block = KernelConfigLoader.parse("""
                backend: sandbox
                sandbox:
                  allow:
                    - pypi.org:443
                    - "*.pythonhosted.org:443"
                """, "k.yaml");
        assertEquals(SandboxSettings.isolated("pypi.org:443", "*.pythonhosted.org:443"), block.sandbox(), "network defaults to isolated");

        KernelConfig host = KernelConfigLoader.parse("sandbox: {network: host}\n", "k.yaml");
        assertEquals(SandboxSettings.Network.HOST, host.sandbox().network());
        assertFalse(host.sandbox().isolated());
        assertEquals(List.of(), host.sandbox().allow());
        assertEquals(SandboxSettings.hostNetwork(), host.sandbox());
        assertEquals(SandboxSettings.Network.HOST, KernelConfigLoader.parse("sandbox: {network: HOST}\n", "k.yaml").sandbox().network(),
                "any case");
    }

    @Test
    void withoutTheSandboxKeyTheNetworkIsIsolatedWithAnEmptyAllowList() {
        for (String yaml : List.of("backend: sandbox\n", "", "sandbox:\n", "sandbox: {}\n")) {
            KernelConfig c = KernelConfigLoader.parse(yaml, "k.yaml");
            assertEquals(SandboxSettings.defaults(), c.sandbox(), "'" + yaml + "'");
            assertEquals(SandboxSettings.Network.ISOLATED, c.sandbox().network());
            assertTrue(c.sandbox().allow().isEmpty());
        }
        assertEquals(SandboxSettings.defaults(), KernelConfig.empty().sandbox());
    }

    @Test
    void anUnknownNetworkNamesTheValueAndBothChoices() {
        ConfigException e = assertThrows(ConfigException.class, () -> KernelConfigLoader.parse("sandbox: {network: bogus}\n", "k.yaml"));
        assertTrue(e.getMessage().contains("'bogus'"), e.getMessage());
        assertTrue(e.getMessage().contains("'isolated'") && e.getMessage().contains("'host'"), e.getMessage());
        assertTrue(e.getMessage().contains("k.yaml"), e.getMessage());
    }

    @Test
    void anUnknownSandboxKeyIsNamedWithItsPrefix() {
        ConfigException e = assertThrows(ConfigException.class, () -> KernelConfigLoader.parse("sandbox: {netwrk: host}\n", "k.yaml"));
        assertTrue(e.getMessage().contains("'sandbox.netwrk'"), e.getMessage());
        assertTrue(e.getMessage().contains("network") && e.getMessage().contains("allow"), "the known keys: " + e.getMessage());
        assertTrue(e.getMessage().contains("k.yaml"), e.getMessage());
    }

    @Test
    void wrongSandboxTypesAreRefused() {
        ConfigException notMap = assertThrows(ConfigException.class, () -> KernelConfigLoader.parse("sandbox: 3\n", "k.yaml"));
        assertTrue(notMap.getMessage().contains("'sandbox'") && notMap.getMessage().contains("mapping"), notMap.getMessage());
        assertThrows(ConfigException.class, () -> KernelConfigLoader.parse("sandbox: isolated\n", "k.yaml"));
        assertThrows(ConfigException.class, () -> KernelConfigLoader.parse("sandbox: [isolated]\n", "k.yaml"));
        ConfigException allow = assertThrows(ConfigException.class, () -> KernelConfigLoader.parse("sandbox: {allow: pypi.org:443}\n", "k.yaml"));
        assertTrue(allow.getMessage().contains("'allow'") && allow.getMessage().contains("list of strings"), allow.getMessage());
        ConfigException network = assertThrows(ConfigException.class, () -> KernelConfigLoader.parse("sandbox: {network: [host]}\n", "k.yaml"));
        assertTrue(network.getMessage().contains("'network'"), network.getMessage());
    }

    @Test
    void anAllowListWithTheHostNetworkIsRefusedAsPointless() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> KernelConfigLoader.parse("sandbox: {network: host, allow: [\"pypi.org:443\"]}\n", "k.yaml"));
        assertTrue(e.getMessage().contains("no effect"), e.getMessage());
        assertTrue(e.getMessage().contains("pypi.org:443") && e.getMessage().contains("'host'"), e.getMessage());
        assertThrows(ConfigException.class, () -> SandboxSettings.hostNetwork().allow("pypi.org:443"));
    }

    @Test
    void toStringShowsTheSandboxAndWithSandboxReplacesIt() {
        KernelConfig c = KernelConfigLoader.parse("""
                backend: sandbox
                state_dir: /var/tmp/ak
                registry_password: "pw-123"
                sandbox: {allow: ["pypi.org:443"]}
                """, "k.yaml");
        assertTrue(c.toString().contains("sandbox=") && c.toString().contains("pypi.org:443"), c.toString());
        assertFalse(c.toString().contains("pw-123"), c.toString());

        KernelConfig host = c.withSandbox(SandboxSettings.hostNetwork());
        assertEquals(SandboxSettings.hostNetwork(), host.sandbox());
        assertEquals(SandboxSettings.isolated("pypi.org:443"), c.sandbox(), "the original is unchanged");
        assertEquals("sandbox", host.backend());
        assertEquals(Path.of("/var/tmp/ak"), host.stateDir());
        assertEquals("pw-123", host.registryPassword(), "the other keys are kept");
        assertEquals(SandboxSettings.defaults(), c.withSandbox(null).sandbox(), "null means the default");
        assertEquals(SandboxSettings.isolated("a.example:80"), KernelConfig.empty().withSandbox(SandboxSettings.isolated("a.example:80")).sandbox());
        assertEquals(SandboxSettings.isolated("pypi.org:443", "files.pythonhosted.org:443"),
                c.sandbox().allow("files.pythonhosted.org:443"));
    }
}
