package dev.agentkernel.packaging.oci;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/** There is no Docker Hub here, so the tests build their own tiny base image from scratch. */
public final class TestImages {
    private TestImages() {}

    public static String pushTinyBase(LocalRegistry registry, Path work) throws Exception {
        String ref = registry.host() + "/base/tiny:1";
        Jib.fromScratch().addFileEntriesLayer(BundleLayers.layer("base", tinyTree(work), AbsoluteUnixPath.get("/etc/base")))
                .containerize(Containerizer.to(RegistryImage.named(ref)).setAllowInsecureRegistries(true)
                        .setBaseImageLayersCache(work.resolve("cache")).setApplicationLayersCache(work.resolve("cache")));
        return ref;
    }

    static Path tinyBaseTar(Path work) throws Exception {
        Path tar = work.resolve("tiny-base.tar");
        Jib.fromScratch().addFileEntriesLayer(BundleLayers.layer("base", tinyTree(work), AbsoluteUnixPath.get("/etc/base")))
                .containerize(Containerizer.to(TarImage.at(tar).named("base/tiny:1"))
                        .setBaseImageLayersCache(work.resolve("cache")).setApplicationLayersCache(work.resolve("cache")));
        return tar;
    }

    private static Path tinyTree(Path work) throws Exception {
        Path dir = work.resolve("tiny-base");
        Files.createDirectories(dir);
        Path release = dir.resolve("os-release");
        if (!Files.exists(release)) Files.writeString(release, "NAME=agentkernel-test-base\n");
        return dir;
    }

    /** Entry name -> mode of one layer, fetched straight from the registry's blob endpoint. */
    static Map<String, Integer> layerEntries(LocalRegistry registry, String repository, String digest) throws Exception {
        HttpResponse<InputStream> r = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build().send(
                HttpRequest.newBuilder(URI.create("http://" + registry.host() + "/v2/" + repository + "/blobs/" + digest)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        Map<String, Integer> entries = new TreeMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(r.body()))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) entries.put(e.getName(), e.getMode() & 07777);
        }
        return entries;
    }
}
