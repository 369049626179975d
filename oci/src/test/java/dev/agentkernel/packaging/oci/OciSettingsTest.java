package dev.agentkernel.packaging.oci;

import dev.agentkernel.ConfigException;
import dev.agentkernel.config.KernelConfig;
import dev.agentkernel.blob.LocalBlobStore;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OciSettingsTest {
    @Test
    void loopbackHostsAreRecognisedWithAndWithoutPorts() {
        for (String r : new String[]{"127.0.0.1:5000/x", "localhost/x:1", "localhost:5000", "[::1]:5000/a/b", "127.1.2.3:80/x"}) {
            assertTrue(Registries.isLoopback(r), r);
        }
        for (String r : new String[]{"registry.example.com/x", "10.0.0.1:5000/x", "localhost.evil.com/x", "eclipse-temurin:21-jre"}) {
            assertFalse(Registries.isLoopback(r), r);
        }
    }

    @Test
    void insecureOnlyForLoopbackUnlessConfigured() {
        OciSettings strict = new OciSettings("registry.example.com", "base:1", false, null, null, null, null);
        assertFalse(Registries.allowInsecure(strict, "registry.example.com/base:1", "registry.example.com/x:1"));
        assertFalse(Registries.allowInsecure(strict, "127.0.0.1:5000/base:1", "registry.example.com/x:1"));
        assertTrue(Registries.allowInsecure(strict, "127.0.0.1:5000/base:1", "localhost:5000/x:1"));
        assertTrue(Registries.allowInsecure(strict, "tar:/tmp/base.tar", "localhost:5000/x:1"));
        OciSettings relaxed = new OciSettings("registry.example.com", "base:1", true, null, null, null, null);
        assertTrue(Registries.allowInsecure(relaxed, "registry.example.com/base:1", "registry.example.com/x:1"));
    }

    @Test
    void missingKeysAndHalfCredentialsAreConfigErrorsNamingTheKey() {
        assertTrue(assertThrows(ConfigException.class, () -> new OciSettings(null, "b", false, null, null, null, null))
                .getMessage().contains("registry_url"));
        assertTrue(assertThrows(ConfigException.class, () -> new OciSettings("r", " ", false, null, null, null, null))
                .getMessage().contains("base_image"));
        assertTrue(assertThrows(ConfigException.class, () -> new OciSettings("r", "b", false, "user", null, null, null))
                .getMessage().contains("password"));
    }

    @Test
    void factoryReadsRegistryAndBaseFromTheKernelConfig() {
        KernelConfig config = new KernelConfig("kubernetes", "ns", "127.0.0.1:5000/agentkernel/runner:0.1.0", null,
                "http://127.0.0.1:5000/", false, null, null, null, null, null, null, null, null);
        Path state = Path.of("/tmp/agentkernel-oci-settings-test");
        OciPackaging p = OciPackaging.create(config, new LocalBlobStore(state), state);
        assertEquals("127.0.0.1:5000", p.settings().registryUrl());
        assertEquals("127.0.0.1:5000/agentkernel/runner:0.1.0", p.settings().baseImage());
        assertEquals(state.resolve("oci-cache"), p.settings().cacheDir());
        assertEquals("127.0.0.1:5000/w:abc", p.targetReference("w", "abc"));
        assertFalse(p.settings().toString().contains("s3cret"));
        assertFalse(new OciSettings("r", "b", false, "u", "s3cret", null, null).toString().contains("s3cret"));
    }

    @Test
    void registryKeysInTheConfigWinOverTheEnvironment() {
        KernelConfig base = new KernelConfig("kubernetes", "ns", "10.0.0.5:5000/runner:1", null, "10.0.0.5:5000",
                false, null, null, null, null, null, null, null, null);
        Path state = Path.of("/tmp/agentkernel-oci-settings-test");
        java.util.Map<String, String> env = java.util.Map.of(OciSettings.ENV_USERNAME, "env-user", OciSettings.ENV_PASSWORD, "env-pw");

        OciSettings fromEnv = OciSettings.fromConfig(base, state, env);
        assertEquals("env-user", fromEnv.username());
        assertEquals("env-pw", fromEnv.password());
        assertFalse(fromEnv.insecureRegistry());

        OciSettings fromFile = OciSettings.fromConfig(base.withRegistry(true, "ci", "file-pw"), state, env);
        assertEquals("ci", fromFile.username());
        assertEquals("file-pw", fromFile.password());
        assertTrue(fromFile.insecureRegistry(), "insecure_registry: true");
        assertTrue(Registries.allowInsecure(fromFile, "10.0.0.5:5000/runner:1", "10.0.0.5:5000/x:1"));

        assertTrue(OciSettings.fromConfig(base, state, java.util.Map.of(OciSettings.ENV_INSECURE, "TRUE")).insecureRegistry());

        // Half a pair in the file is an error naming both keys, not silently completed from the environment.
        ConfigException half = assertThrows(ConfigException.class,
                () -> OciSettings.fromConfig(base.withRegistry(false, "ci", null), state, env));
        assertTrue(half.getMessage().contains("registry_password"), half.getMessage());
    }

    @Test
    void theFactoryServesKubernetesAndDefersMissingKeysToTheBuild() {
        Path state = Path.of("/tmp/agentkernel-oci-settings-test");
        var factories = java.util.ServiceLoader.load(dev.agentkernel.packaging.PackagingFactory.class).stream()
                .map(java.util.ServiceLoader.Provider::get).toList();
        var factory = factories.stream().filter(f -> f.backend().equals("kubernetes")).findFirst().orElseThrow();
        KernelConfig full = new KernelConfig("kubernetes", "ns", "127.0.0.1:5000/runner:1", null, "127.0.0.1:5000",
                false, null, null, null, null, null, null, null, null);
        assertTrue(factory.create(full, new LocalBlobStore(state), state) instanceof OciPackaging);

        var unconfigured = factory.create(KernelConfig.empty(), new LocalBlobStore(state), state);
        ConfigException e = assertThrows(ConfigException.class, () -> unconfigured.createAgentImage("w",
                java.util.List.of(new dev.agentkernel.SourceBundle("blob://sha256:" + "a".repeat(64), java.util.Map.of("name", "h")))));
        assertTrue(e.getMessage().contains("registry_url"), e.getMessage());
    }
}
