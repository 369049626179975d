package dev.agentkernel.spawn.k8s.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.protocol.Protocol;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * The process kubelet's image pull for images in a registry on loopback (the tests' docker-registry): reads the
 * manifest and the layer blobs with the plain registry API v2 and unpacks the part of each layer under
 * {@code opt/agentkernel/} (the OCI packaging's bundle layers) into a per-pod root file system. The rest of the
 * image (JRE, runner) is what the kubelet runs from the local build instead.
 */
final class RegistryPull {
    /** host:port/repository followed by :tag or @sha256:digest. */
    private static final Pattern REFERENCE = Pattern.compile(
            "((?:127(?:\\.\\d{1,3}){3}|localhost)(?::\\d+)?)/([a-z0-9._/-]+?)(?::([A-Za-z0-9_.-]+)|@(sha256:[0-9a-f]{64}))");
    private static final String ACCEPT = String.join(",",
            "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json");
    static final String UNPACKED_PREFIX = "opt/agentkernel/";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    private RegistryPull() {}

    static boolean isLoopbackReference(String image) {
        return image != null && REFERENCE.matcher(image).matches();
    }

    /**
     * Pulls {@code image} into {@code rootfs}. A missing image, a missing blob or an unreachable registry is an
     * {@link IOException} whose message is what a kubelet's ErrImagePull would say.
     */
    static void pull(String image, Path rootfs) throws IOException, InterruptedException {
        Matcher m = REFERENCE.matcher(image);
        if (!m.matches()) throw new IOException("not a loopback registry reference: " + image);
        String base = "http://" + m.group(1) + "/v2/" + m.group(2);
        String ref = m.group(3) != null ? m.group(3) : m.group(4);
        JsonNode manifest = manifest(base, ref, image);
        if (manifest.has("manifests")) {
            // An index: the test registry's images are single-platform, so its first manifest is the one.
            manifest = manifest(base, manifest.path("manifests").path(0).path("digest").asText(), image);
        }
        Files.createDirectories(rootfs);
        for (JsonNode layer : manifest.path("layers")) {
            String digest = layer.path("digest").asText();
            HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/blobs/" + digest)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = r.body()) {
                if (r.statusCode() != 200) {
                    throw new IOException("failed to pull and unpack image \"" + image + "\": layer " + digest + ": HTTP " + r.statusCode());
                }
                boolean gzip = layer.path("mediaType").asText().endsWith("gzip");
                unpack(gzip ? new GZIPInputStream(new BufferedInputStream(body)) : body, rootfs);
            }
        }
    }

    private static JsonNode manifest(String base, String ref, String image) throws IOException, InterruptedException {
        HttpResponse<byte[]> r;
        try {
            r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/manifests/" + ref)).header("Accept", ACCEPT).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IOException("failed to pull and unpack image \"" + image + "\": " + e, e);
        }
        if (r.statusCode() != 200) {
            throw new IOException("failed to pull and unpack image \"" + image + "\": manifest " + ref + ": HTTP " + r.statusCode()
                    + " " + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8).strip());
        }
        return Protocol.json().readTree(r.body());
    }

    /** Only regular files and directories under opt/agentkernel/, and nothing that would land outside rootfs. */
    private static void unpack(InputStream in, Path rootfs) throws IOException {
        Path root = rootfs.toAbsolutePath().normalize();
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            String name = e.getName().startsWith("/") ? e.getName().substring(1) : e.getName();
            if (!name.startsWith(UNPACKED_PREFIX)) continue;
            Path target = root.resolve(name).normalize();
            if (!target.startsWith(root)) throw new IOException("layer entry " + e.getName() + " escapes the image root");
            if (e.isDirectory()) {
                Files.createDirectories(target);
            } else if (e.isFile()) {
                Files.createDirectories(target.getParent());
                Files.copy(tar, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(target, permissions(e.getMode()));
            }
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> p = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
        if ((mode & 0100) != 0) p.addAll(Set.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE));
        return p;
    }
}
