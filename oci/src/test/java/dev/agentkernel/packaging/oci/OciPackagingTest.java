package dev.agentkernel.packaging.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.PackageJob;
import dev.agentkernel.SourceBundle;
import dev.agentkernel.blob.BlobUri;
import dev.agentkernel.blob.LocalBlobStore;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(RegistryExtension.class)
class OciPackagingTest {
    static Path work;
    static String base;
    static LocalRegistry registry;

    @BeforeAll
    static void pushBase(LocalRegistry r) throws Exception {
        registry = r;
        work = Files.createTempDirectory("agentkernel-oci-test-");
        base = TestImages.pushTinyBase(r, work);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        deleteTree(work);
    }

    private OciPackaging packaging(Path state, OciSettings settings) {
        return new OciPackaging(settings, new LocalBlobStore(state), state);
    }

    private OciPackaging packaging(Path state) {
        return packaging(state, new OciSettings(registry.host(), base, false, null, null, null, state.resolve("oci-cache")));
    }

    private static Path newState() throws Exception {
        return Files.createTempDirectory(work, "state-");
    }

    private static SourceBundle bundle(OciPackaging p, Path state, String name, Map<String, String> files) throws Exception {
        Path dir = Files.createTempDirectory(work, "src-");
        for (var f : files.entrySet()) {
            Path file = dir.resolve(f.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, f.getValue());
            if (f.getKey().endsWith(".sh")) file.toFile().setExecutable(true, false);
        }
        return new SourceBundle(new LocalBlobStore(state).uploadDir(dir), Map.of("name", name));
    }

    private static PackageJob await(CompletableFuture<PackageJob> f) throws Exception {
        return f.get(120, TimeUnit.SECONDS);
    }

    @Test
    void oneBundleBecomesOneLayerWithItsDigestLabel() throws Exception {
        Path state = newState();
        OciPackaging p = packaging(state);
        SourceBundle tools = bundle(p, state, "tools", Map.of("run.sh", "#!/bin/sh\necho hi\n", "lib/util.py", "X = 1\n"));

        PackageJob job = await(p.createAgentImage("worker", List.of(tools)));

        assertEquals(PackageJob.Status.SUCCEEDED, job.status(), job.error());
        assertNull(job.error());
        String reference = job.image().reference();
        assertTrue(reference.matches("127\\.0\\.0\\.1:\\d+/worker@sha256:[0-9a-f]{64}"), reference);
        assertEquals("worker", job.image().name());

        JsonNode inspect = Skopeo.inspect(reference);
        assertEquals(2, inspect.path("Layers").size(), "base layer + one bundle layer: " + inspect);
        assertEquals("sha256:" + BlobUri.parse(tools.uri()).sha256Hex(), inspect.path("Labels").path("dev.agentkernel.bundle.tools").asText());
        assertEquals(reference.substring(reference.indexOf('@') + 1), inspect.path("Digest").asText());

        JsonNode raw = Skopeo.inspect(reference, "--raw");
        assertEquals(2, raw.path("schemaVersion").asInt());
        String bundleLayer = raw.path("layers").get(1).path("digest").asText();
        Map<String, Integer> entries = TestImages.layerEntries(registry, "worker", bundleLayer);
        assertEquals(0755, entries.get("opt/agentkernel/bundles/tools/run.sh"), entries.toString());
        assertEquals(0644, entries.get("opt/agentkernel/bundles/tools/lib/util.py"), entries.toString());
        assertTrue(entries.containsKey("opt/agentkernel/bundles/tools/lib/"), entries.toString());
        assertTrue(Files.list(p.tempRoot()).findAny().isEmpty(), "build left files in " + p.tempRoot());
        // The spawn side finds the image by job id through the state dir's index.
        var indexed = new dev.agentkernel.packaging.ImageIndex(state).find(job.id()).orElseThrow();
        assertEquals(reference, indexed.reference());
        assertEquals(List.of("tools"), indexed.bundles());
    }

    @Test
    void twoBundlesGiveTwoLayersAndTwoLabels() throws Exception {
        Path state = newState();
        OciPackaging p = packaging(state);
        SourceBundle a = bundle(p, state, "alpha", Map.of("a.txt", "a"));
        SourceBundle b = bundle(p, state, "beta", Map.of("b.txt", "b"));

        PackageJob job = await(p.createAgentImage("pair", List.of(b, a)));

        assertEquals(PackageJob.Status.SUCCEEDED, job.status(), job.error());
        JsonNode inspect = Skopeo.inspect(job.image().reference());
        assertEquals(3, inspect.path("Layers").size(), inspect.toString());
        assertEquals("sha256:" + BlobUri.parse(a.uri()).sha256Hex(), inspect.path("Labels").path("dev.agentkernel.bundle.alpha").asText());
        assertEquals("sha256:" + BlobUri.parse(b.uri()).sha256Hex(), inspect.path("Labels").path("dev.agentkernel.bundle.beta").asText());
        // layers are in label-name order whatever order the bundles were passed in
        JsonNode raw = Skopeo.inspect(job.image().reference(), "--raw");
        assertTrue(TestImages.layerEntries(registry, "pair", raw.path("layers").get(1).path("digest").asText())
                .containsKey("opt/agentkernel/bundles/alpha/a.txt"));
        assertTrue(TestImages.layerEntries(registry, "pair", raw.path("layers").get(2).path("digest").asText())
                .containsKey("opt/agentkernel/bundles/beta/b.txt"));
    }

    @Test
    void identicalBundlesGiveTheSameDigestAndARebuildIsANoOp() throws Exception {
        Map<String, String> files = Map.of("x.py", "print('x')\n", "sub/y.sh", "#!/bin/sh\n");
        Path s1 = newState();
        OciPackaging p1 = packaging(s1);
        PackageJob first = await(p1.createAgentImage("repro", List.of(bundle(p1, s1, "code", files))));
        assertEquals(PackageJob.Status.SUCCEEDED, first.status(), first.error());
        PackageJob again = await(p1.createAgentImage("repro", List.of(bundle(p1, s1, "code", files))));
        assertEquals(first.image().reference(), again.image().reference());
        assertEquals(first.image().id(), again.image().id());

        // A full second build (another name, so no tag shortcut; another state dir, so no shared Jib cache)
        // must give byte-identical layers and config: the image digest does not depend on the repository.
        Path s2 = newState();
        OciPackaging p2 = packaging(s2);
        PackageJob elsewhere = await(p2.createAgentImage("repro-copy", List.of(bundle(p2, s2, "code", files))));
        assertEquals(digestOf(first), digestOf(elsewhere));

        PackageJob changed = await(p2.createAgentImage("repro", List.of(bundle(p2, s2, "code", Map.of("x.py", "print('y')\n")))));
        assertNotEquals(digestOf(first), digestOf(changed));
    }

    @Test
    void aRebuiltBaseUnderTheSameTagGivesANewAgentImage() throws Exception {
        Path state = newState();
        Path tarDir = Files.createDirectories(state.resolve("base"));
        Path tar = TestImages.tinyBaseTar(tarDir);
        OciPackaging p = packaging(state, new OciSettings(registry.host(), "tar:" + tar, false, null, null, null, state.resolve("c")));
        SourceBundle b = bundle(p, state, "code", Map.of("a", "a"));
        PackageJob before = await(p.createAgentImage("rebased", List.of(b)));
        assertEquals(PackageJob.Status.SUCCEEDED, before.status(), before.error());
        Files.writeString(tarDir.resolve("tiny-base").resolve("os-release"), "NAME=changed\n");
        Files.delete(tar);
        TestImages.tinyBaseTar(tarDir);

        PackageJob after = await(p.createAgentImage("rebased", List.of(b)));

        assertEquals(PackageJob.Status.SUCCEEDED, after.status(), after.error());
        assertNotEquals(digestOf(before), digestOf(after), "the cached tag of the old base was reused");
    }

    static String digestOf(PackageJob job) {
        String ref = job.image().reference();
        return ref.substring(ref.indexOf('@') + 1);
    }

    @Test
    void unknownBundleUriFailsWithTheFixAndLeavesNoTempDir() throws Exception {
        Path state = newState();
        OciPackaging p = packaging(state);
        String missing = "blob://sha256:" + "ab".repeat(32);

        PackageJob job = await(p.createAgentImage("ghost", List.of(new SourceBundle(missing, Map.of("name", "gone")))));

        assertEquals(PackageJob.Status.FAILED, job.status());
        System.out.println(job.error());
        assertNull(job.image());
        assertTrue(job.error().contains(missing) && job.error().contains("uploadDir"), job.error());
        assertTempRootEmpty(p);
    }

    @Test
    void bundleWithPathEscapeFailsAndLeavesNoTempDir() throws Exception {
        Path state = newState();
        LocalBlobStore blobs = new LocalBlobStore(state);
        OciPackaging p = packaging(state);
        // a hand-made archive that the blob store would never produce: its entry climbs out of the target
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            byte[] body = "owned".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry("../../escaped.txt", true);
            e.setSize(body.length);
            tar.putArchiveEntry(e);
            tar.write(body);
            tar.closeArchiveEntry();
        }
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
        BlobUri uri = new BlobUri(hex);
        Files.createDirectories(blobs.pathOf(uri).getParent());
        Files.write(blobs.pathOf(uri), bytes.toByteArray());

        PackageJob job = await(p.createAgentImage("escape", List.of(new SourceBundle(uri.toString(), Map.of("name", "evil")))));

        assertEquals(PackageJob.Status.FAILED, job.status());
        System.out.println(job.error());
        assertTrue(job.error().contains("escapes the target directory"), job.error());
        assertTempRootEmpty(p);
        try (Stream<Path> all = Files.walk(state)) {
            assertTrue(all.noneMatch(f -> f.getFileName().toString().equals("escaped.txt")), "the escaping entry was written");
        }
    }

    @Test
    void connectionRefusedFailsWithTheReason() throws Exception {
        Path state = newState();
        int closed = LocalRegistry.freePort();
        OciPackaging p = packaging(state, new OciSettings("127.0.0.1:" + closed, base, false, null, null, null, state.resolve("c")));
        SourceBundle b = bundle(p, state, "tools", Map.of("a", "a"));

        PackageJob job = await(p.createAgentImage("nowhere", List.of(b)));

        assertEquals(PackageJob.Status.FAILED, job.status());
        System.out.println(job.error());
        assertTrue(job.error().contains("127.0.0.1:" + closed), job.error());
        assertTrue(job.error().toLowerCase().contains("refused") || job.error().contains("cannot reach"), job.error());
        assertTrue(!job.error().contains("\tat ") && !job.error().contains("ExecutionException"), job.error());
        assertTempRootEmpty(p);
    }

    @Test
    void missingBaseImageFailsWithTheRegistryMessage() throws Exception {
        Path state = newState();
        String nope = registry.host() + "/base/does-not-exist:1";
        OciPackaging p = packaging(state, new OciSettings(registry.host(), nope, false, null, null, null, state.resolve("c")));
        SourceBundle b = bundle(p, state, "tools", Map.of("a", "a"));

        PackageJob job = await(p.createAgentImage("orphan", List.of(b)));

        assertEquals(PackageJob.Status.FAILED, job.status());
        System.out.println(job.error());
        assertTrue(job.error().contains("base/does-not-exist"), job.error());
        assertTrue(job.error().toLowerCase().contains("unknown") || job.error().toLowerCase().contains("not found"), job.error());
        assertTempRootEmpty(p);
    }

    @Test
    void missingBaseTarFailsNamingTheFile() throws Exception {
        Path state = newState();
        Path tar = state.resolve("no-such-base.tar");
        OciPackaging p = packaging(state, new OciSettings(registry.host(), "tar:" + tar, false, null, null, null, state.resolve("c")));
        PackageJob job = await(p.createAgentImage("tarless", List.of(bundle(p, state, "tools", Map.of("a", "a")))));
        assertEquals(PackageJob.Status.FAILED, job.status());
        assertTrue(job.error().contains(tar.toString()) && job.error().contains("no such file"), job.error());
        assertTempRootEmpty(p);
    }

    @Test
    void twoBuildsOfTheSameNameAtOnceBothSucceed() throws Exception {
        Path state = newState();
        OciPackaging p = packaging(state);
        SourceBundle one = bundle(p, state, "code", Map.of("v", "1"));
        SourceBundle two = bundle(p, state, "code", Map.of("v", "2"));

        CompletableFuture<PackageJob> f1 = p.createAgentImage("twin", List.of(one));
        CompletableFuture<PackageJob> f2 = p.createAgentImage("twin", List.of(two));
        CompletableFuture<PackageJob> f3 = p.createAgentImage("twin", List.of(one));
        PackageJob j1 = await(f1), j2 = await(f2), j3 = await(f3);

        for (PackageJob j : List.of(j1, j2, j3)) assertEquals(PackageJob.Status.SUCCEEDED, j.status(), j.error());
        assertEquals(j1.image().reference(), j3.image().reference());
        assertNotEquals(j1.image().reference(), j2.image().reference());
        assertEquals("sha256:" + BlobUri.parse(two.uri()).sha256Hex(),
                Skopeo.inspect(j2.image().reference()).path("Labels").path("dev.agentkernel.bundle.code").asText());
        assertTempRootEmpty(p);
    }

    @Test
    void aBuildWaitsPendingWhileAnotherBuildOfTheSameNameRuns() throws Exception {
        Path state = newState();
        OciPackaging p = packaging(state);
        SourceBundle b = bundle(p, state, "code", Map.of("w", "1"));
        java.util.concurrent.locks.ReentrantLock held = p.lockFor("queued");
        held.lock(); // stands in for a build of "queued" that is still running
        CompletableFuture<PackageJob> f;
        String id;
        try {
            f = p.createAgentImage("queued", List.of(b));
            id = OciPackaging.imageId("queued", List.of(b));
            Thread.sleep(300);
            assertEquals(PackageJob.Status.PENDING, p.job(id).orElseThrow().status(), "a second build of a name must wait");
            assertTrue(!f.isDone());
        } finally {
            held.unlock();
        }
        PackageJob done = await(f);
        assertEquals(PackageJob.Status.SUCCEEDED, done.status(), done.error());
        assertEquals(done, p.job(id).orElseThrow());
        assertTrue(p.job("never-started").isEmpty());
    }

    @Test
    void badArgumentsAreRefusedAtOnce() throws Exception {
        Path state = newState();
        OciPackaging p = packaging(state);
        SourceBundle ok = bundle(p, state, "code", Map.of("a", "a"));
        assertTrue(assertThrows(InvalidRequestException.class, () -> p.createAgentImage("Bad Name", List.of(ok)))
                .getMessage().contains("invalid image name"));
        assertThrows(InvalidRequestException.class, () -> p.createAgentImage("x", List.of()));
        assertTrue(assertThrows(InvalidRequestException.class,
                () -> p.createAgentImage("x", List.of(new SourceBundle(ok.uri(), Map.of("name", "../up")))))
                .getMessage().contains("plain directory name"));
        assertTrue(assertThrows(InvalidRequestException.class,
                () -> p.createAgentImage("x", List.of(new SourceBundle("s3://nope", Map.of("name", "a")))))
                .getMessage().contains("not a blob URI"));
    }

    static void assertTempRootEmpty(OciPackaging p) throws Exception {
        if (!Files.exists(p.tempRoot())) return;
        try (Stream<Path> s = Files.list(p.tempRoot())) {
            List<Path> left = new ArrayList<>(s.toList());
            assertTrue(left.isEmpty(), "temp dirs left behind: " + left);
        }
    }

    static void deleteTree(Path dir) throws Exception {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
