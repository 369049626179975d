package dev.agentkernel.packaging.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.InvalidRequestException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(RegistryExtension.class)
class BaseImageBuilderTest {
    static Path work;
    static Path runnerDir;
    static String base;
    static LocalRegistry registry;

    @BeforeAll
    static void setUp(LocalRegistry r) throws Exception {
        registry = r;
        work = Files.createTempDirectory("agentkernel-base-image-test-");
        base = TestImages.pushTinyBase(r, work);
        // stand-ins for runner/target: the builder copies bytes, it does not run them
        runnerDir = Files.createDirectories(work.resolve("runner"));
        Files.writeString(runnerDir.resolve("agentkernel-runner.jar"), "runner-jar-bytes");
        Files.createDirectories(runnerDir.resolve("lib"));
        Files.writeString(runnerDir.resolve("lib/dep-a.jar"), "a");
        Files.writeString(runnerDir.resolve("lib/dep-b.jar"), "b");
    }

    @AfterAll
    static void tearDown() throws Exception {
        OciPackagingTest.deleteTree(work);
    }

    @Test
    void buildsARunnerImageWithEntrypointNonRootUserAndWorkdir_andKeepsAnExistingTagUnlessForced() throws Exception {
        String to = registry.host() + "/agentkernel/runner:test";
        BaseImageBuilder.Options opts = new BaseImageBuilder.Options(base, to, false, runnerDir, false, work.resolve("cache"));

        BaseImageBuilder.Result first = BaseImageBuilder.build(opts);

        assertTrue(first.built());
        JsonNode config = Skopeo.inspect(to, "--config").path("config");
        List<String> entrypoint = List.of(new com.fasterxml.jackson.databind.ObjectMapper().convertValue(config.path("Entrypoint"), String[].class));
        assertEquals(BaseImageBuilder.ENTRYPOINT, entrypoint);
        assertEquals("10001:10001", config.path("User").asText());
        assertEquals("/workspace", config.path("WorkingDir").asText());
        JsonNode inspect = Skopeo.inspect(to);
        assertEquals(3, inspect.path("Layers").size(), "base + lib + runner jar: " + inspect);
        assertEquals(first.digest(), inspect.path("Digest").asText());
        String jarLayer = Skopeo.inspect(to, "--raw").path("layers").get(2).path("digest").asText();
        Map<String, Integer> entries = TestImages.layerEntries(registry, "agentkernel/runner", jarLayer);
        assertTrue(entries.containsKey("opt/agentkernel/agentkernel-runner.jar"), entries.toString());

        BaseImageBuilder.Result kept = BaseImageBuilder.build(opts);
        assertFalse(kept.built(), "an existing tag is kept without --force-base");
        assertEquals(first.digest(), kept.digest());

        BaseImageBuilder.Result forced = BaseImageBuilder.build(
                new BaseImageBuilder.Options(base, to, true, runnerDir, false, work.resolve("cache")));
        assertTrue(forced.built());
        assertEquals(first.digest(), forced.digest(), "the same inputs rebuild to the same digest");
    }

    @Test
    void writesATarThatServesAsABaseImage() throws Exception {
        Path tar = work.resolve("runner.tar");
        BaseImageBuilder.Result r = BaseImageBuilder.build(
                new BaseImageBuilder.Options(base, "tar:" + tar, false, runnerDir, false, work.resolve("cache")));
        assertTrue(r.built());
        assertTrue(Files.size(tar) > 0);
        JsonNode config = Skopeo.inspect("docker-archive:" + tar, "--config").path("config");
        // skopeo takes docker-archive: references as-is; the docker:// prefix below is never added for them
        assertEquals("10001:10001", config.path("User").asText());
    }

    @Test
    void missingRunnerBuildIsAClearError() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> BaseImageBuilder.build(
                new BaseImageBuilder.Options(base, registry.host() + "/x:1", false, work.resolve("nope"), false, null)));
        assertTrue(e.getMessage().contains("mvn -q -B -pl runner package"), e.getMessage());
    }
}
