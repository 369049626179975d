package dev.agentkernel.packaging;

import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.PackageJob;
import dev.agentkernel.SourceBundle;
import dev.agentkernel.blob.LocalBlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class LocalPackagingTest {
    @TempDir Path tmp;

    private String upload(LocalBlobStore blobs, String dir, String content) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(dir));
        Files.writeString(d.resolve("tool.py"), content);
        return blobs.uploadDir(d);
    }

    @Test
    void buildsAnImageDirectoryAndInstallsItIntoAWorkspace() throws Exception {
        Path state = tmp.resolve("state");
        LocalBlobStore blobs = new LocalBlobStore(state);
        LocalPackaging pkg = new LocalPackaging(state, blobs);
        String uri = upload(blobs, "my_helpers", "print('hi')");
        PackageJob job = pkg.createAgentImage("custom-worker", List.of(new SourceBundle(uri, Map.of("name", "my_helpers")))).join();
        assertEquals(PackageJob.Status.SUCCEEDED, job.status(), job.error());
        assertNotNull(job.image());
        assertEquals("custom-worker", job.image().name());
        assertEquals(job.image(), pkg.image(job.image().id()).orElseThrow());
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        pkg.installInto(job.image().id(), ws);
        assertEquals("print('hi')", Files.readString(ws.resolve("bundles/my_helpers/tool.py")));

        PackageJob again = pkg.createAgentImage("custom-worker", List.of(new SourceBundle(uri, Map.of("name", "my_helpers")))).join();
        assertEquals(job.image().id(), again.image().id(), "identical build is the same image");
    }

    @Test
    void missingBundleFailsTheJobAndLeavesNoDirectory() throws Exception {
        Path state = tmp.resolve("state");
        LocalPackaging pkg = new LocalPackaging(state, new LocalBlobStore(state));
        PackageJob job = pkg.createAgentImage("w", List.of(new SourceBundle("blob://sha256:" + "a".repeat(64), Map.of("name", "x")))).join();
        assertEquals(PackageJob.Status.FAILED, job.status());
        assertNull(job.image());
        assertTrue(job.error().contains("not in the blob store"), job.error());
        if (Files.exists(state.resolve("images"))) {
            try (Stream<Path> s = Files.list(state.resolve("images"))) {
                assertEquals(0, s.count());
            }
        }
    }

    @Test
    void concurrentBuildsOfTheSameNameBothSucceedWithOneImage() throws Exception {
        Path state = tmp.resolve("state");
        LocalBlobStore blobs = new LocalBlobStore(state);
        LocalPackaging pkg = new LocalPackaging(state, blobs);
        String uri = upload(blobs, "b", "x");
        List<SourceBundle> bundles = List.of(new SourceBundle(uri, Map.of("name", "b")));
        CompletableFuture<PackageJob> a = pkg.createAgentImage("same", bundles);
        CompletableFuture<PackageJob> b = pkg.createAgentImage("same", bundles);
        assertEquals(a.join().image().id(), b.join().image().id());
        try (Stream<Path> s = Files.list(state.resolve("images"))) {
            assertEquals(1, s.count(), "one image dir, no staging leftovers");
        }
    }

    @Test
    void badNamesAndLabelsAreRefused() {
        Path state = tmp.resolve("state");
        LocalPackaging pkg = new LocalPackaging(state, new LocalBlobStore(state));
        String uri = "blob://sha256:" + "b".repeat(64);
        assertThrows(InvalidRequestException.class, () -> pkg.createAgentImage("Bad Name", List.of(new SourceBundle(uri, Map.of("name", "x")))));
        var e = assertThrows(InvalidRequestException.class, () -> pkg.createAgentImage("ok", List.of(new SourceBundle(uri, Map.of("name", "../up")))));
        assertTrue(e.getMessage().contains("plain directory name"), e.getMessage());
        assertThrows(InvalidRequestException.class, () -> pkg.createAgentImage("ok", List.of()));
        assertThrows(InvalidRequestException.class, () -> pkg.installInto("nope", tmp));
    }
}
