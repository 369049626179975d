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
}
