package dev.agentkernel.packaging;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.OpenClawPlugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class PackagingFactoryTest {
    @TempDir
    Path dir;

    @Test
    void aBackendWithARegisteredFactoryGetsThatPackaging() throws Exception {
        Path yaml = Files.writeString(dir.resolve("k.yaml"), "backend: recording\nregistry_url: 127.0.0.1:5000\n");
        try (AgentKernel k = AgentKernel.builder().config(yaml).stateDir(dir.resolve("state")).plugin(new OpenClawPlugin()).build()) {
            RecordingPackagingFactory.Made made = assertInstanceOf(RecordingPackagingFactory.Made.class, k.packaging());
            assertEquals("127.0.0.1:5000", made.config().registryUrl());
            assertEquals(dir.resolve("state").toAbsolutePath(), made.stateDir());
            assertSame(k.blobStore(), made.blobs(), "the factory builds on the kernel's own blob store");
        }
    }

    @Test
    void localAndBackendsWithoutAFactoryUseLocalPackaging() {
        try (AgentKernel k = AgentKernel.builder().backend("local").stateDir(dir.resolve("a")).plugin(new OpenClawPlugin()).build()) {
            assertInstanceOf(LocalPackaging.class, k.packaging());
        }
        try (AgentKernel k = AgentKernel.builder().backend("sandbox").stateDir(dir.resolve("b")).plugin(new OpenClawPlugin()).build()) {
            assertInstanceOf(LocalPackaging.class, k.packaging());
        }
    }
}
