package dev.agentkernel.packaging.oci;

import dev.agentkernel.PackageJob;
import dev.agentkernel.SourceBundle;
import dev.agentkernel.blob.LocalBlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The speed numbers: build+push of a 10 MB bundle cold and warm (nothing changed), and uploadDir of a
 * 50 MB tree. Printed to target/oci-bench.txt; the assertion is a loose guard, the report states the ratio.
 */
@ExtendWith(RegistryExtension.class)
class OciBenchmarkTest {
    @Test
    void tenMegabyteBundleColdVersusWarm_andUploadDirOf50Megabytes(LocalRegistry registry) throws Exception {
        Path work = Files.createTempDirectory("agentkernel-oci-bench-");
        try {
            String base = TestImages.pushTinyBase(registry, work);
            Path state = Files.createDirectories(work.resolve("state"));
            LocalBlobStore blobs = new LocalBlobStore(state);
            Random random = new Random(42);

            Path big = Files.createDirectories(work.resolve("tree50"));
            for (int i = 0; i < 50; i++) Files.write(big.resolve("f" + i + ".bin"), bytes(random, 1 << 20));
            long t0 = System.nanoTime();
            blobs.uploadDir(big);
            long upload50 = System.nanoTime() - t0;

            Path ten = Files.createDirectories(work.resolve("tree10"));
            for (int i = 0; i < 10; i++) Files.write(ten.resolve("f" + i + ".bin"), bytes(random, 1 << 20));
            SourceBundle bundle = new SourceBundle(blobs.uploadDir(ten), Map.of("name", "data"));
            OciPackaging p = new OciPackaging(
                    new OciSettings(registry.host(), base, false, null, null, null, state.resolve("oci-cache")), blobs, state);

            long c0 = System.nanoTime();
            PackageJob cold = p.createAgentImage("bench", List.of(bundle)).get(300, TimeUnit.SECONDS);
            long coldNs = System.nanoTime() - c0;
            long w0 = System.nanoTime();
            PackageJob warm = p.createAgentImage("bench", List.of(bundle)).get(300, TimeUnit.SECONDS);
            long warmNs = System.nanoTime() - w0;

            assertEquals(PackageJob.Status.SUCCEEDED, cold.status(), cold.error());
            assertEquals(cold.image().reference(), warm.image().reference());
            String report = String.format("uploadDir 50 MB tree: %d ms%nimage build+push 10 MB bundle: cold %d ms, warm %d ms (%.1f %% of cold; target <= 20 %%)%n",
                    upload50 / 1_000_000, coldNs / 1_000_000, warmNs / 1_000_000, 100.0 * warmNs / coldNs);
            System.out.print(report);
            Files.writeString(Path.of("target", "oci-bench.txt"), report);
            assertTrue(warmNs < coldNs / 2, report);
        } finally {
            OciPackagingTest.deleteTree(work);
        }
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
