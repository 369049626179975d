package dev.agentkernel.packaging.oci;

import dev.agentkernel.PackageJob;
import dev.agentkernel.SourceBundle;
import dev.agentkernel.blob.LocalBlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A second registry with htpasswd auth: no credentials is a 401, explicit or Docker-config credentials push. */
class AuthRegistryTest {
    /** bcrypt (cost 4) of "s3cret" for user "agent". */
    private static final String HTPASSWD = "agent:$2b$04$PR5BHWsKoCLk5Px4NP3q.O0TuXjwtbdVr2QdmENTQAR9/3VHRkBZ6";

    static LocalRegistry registry;
    static Path work;
    static String tarBase;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalRegistry.start(HTPASSWD);
        work = Files.createTempDirectory("agentkernel-oci-auth-");
        tarBase = Registries.TAR_PREFIX + TestImages.tinyBaseTar(work);
        // Jib refuses to send credentials over plain HTTP unless told to; this registry is on loopback only.
        System.setProperty("sendCredentialsOverHttp", "true");
    }

    @AfterAll
    static void stop() throws Exception {
        System.clearProperty("sendCredentialsOverHttp");
        if (registry != null) registry.close();
        OciPackagingTest.deleteTree(work);
    }

    private PackageJob build(OciSettings settings, String name) throws Exception {
        Path state = Files.createTempDirectory(work, "state-");
        LocalBlobStore blobs = new LocalBlobStore(state);
        Path src = Files.createDirectories(state.resolve("src"));
        Files.writeString(src.resolve("hello.txt"), "hello");
        OciPackaging p = new OciPackaging(settings, blobs, state);
        PackageJob job = p.createAgentImage(name, List.of(new SourceBundle(blobs.uploadDir(src), Map.of("name", "tools"))))
                .get(120, TimeUnit.SECONDS);
        OciPackagingTest.assertTempRootEmpty(p);
        return job;
    }

    private OciSettings settings() {
        Path empty = work.resolve("no-docker-config.json");
        return new OciSettings(registry.host(), tarBase, false, null, null, empty, work.resolve("cache"));
    }

    @Test
    void pushWithoutCredentialsFailsWith401() throws Exception {
        PackageJob job = build(settings(), "denied");
        System.out.println(job.error());
        assertEquals(PackageJob.Status.FAILED, job.status());
        assertTrue(job.error().contains("401") && job.error().contains(registry.host() + "/denied"), job.error());
        assertTrue(job.error().contains("docker login"), job.error());
    }

    @Test
    void wrongPasswordFailsWith401() throws Exception {
        PackageJob job = build(settings().withCredentials("agent", "wrong"), "wrongpw");
        System.out.println(job.error());
        assertEquals(PackageJob.Status.FAILED, job.status());
        assertTrue(job.error().contains("401") || job.error().toLowerCase().contains("unauthorized"), job.error());
    }

    @Test
    void explicitCredentialsPush() throws Exception {
        PackageJob job = build(settings().withCredentials("agent", "s3cret"), "explicit");
        assertEquals(PackageJob.Status.SUCCEEDED, job.status(), job.error());
        assertTrue(job.image().reference().startsWith(registry.host() + "/explicit@sha256:"));
    }

    @Test
    void dockerConfigCredentialsPush() throws Exception {
        Path config = work.resolve("docker-config.json");
        String auth = Base64.getEncoder().encodeToString("agent:s3cret".getBytes(StandardCharsets.UTF_8));
        Files.writeString(config, "{\"auths\":{\"" + registry.host() + "\":{\"auth\":\"" + auth + "\"}}}");
        PackageJob job = build(settings().withDockerConfig(config), "fromconfig");
        assertEquals(PackageJob.Status.SUCCEEDED, job.status(), job.error());
        assertTrue(job.image().reference().startsWith(registry.host() + "/fromconfig@sha256:"));
    }
}
