package dev.agentkernel.packaging;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.AgentImage;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.PackageJob;
import dev.agentkernel.Packaging;
import dev.agentkernel.SourceBundle;
import dev.agentkernel.blob.BlobUri;
import dev.agentkernel.blob.LocalBlobStore;
import dev.agentkernel.protocol.Protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Images for the local backends: a directory {@code <stateDir>/images/<id>/bundles/<label name>/}. The id is
 * derived from the name and the bundles' digests, so an identical build is a no-op, and a build is staged in
 * a temporary directory and renamed into place, so a failed build leaves nothing half-written.
 */
public final class LocalPackaging implements Packaging {
    private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern IMAGE_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private final Path imagesDir;
    private final LocalBlobStore blobs;
    private final ConcurrentHashMap<String, ReentrantLock> buildLocks = new ConcurrentHashMap<>();

    public LocalPackaging(Path stateDir, LocalBlobStore blobs) {
        this.imagesDir = stateDir.resolve("images");
        this.blobs = blobs;
    }

    @Override
    public CompletableFuture<PackageJob> createAgentImage(String name, List<SourceBundle> bundles) {
        validate(name, bundles);
        String id = imageId(name, bundles);
        return CompletableFuture.supplyAsync(() -> build(id, name, bundles), Thread.ofVirtual()::start);
    }

    /** The image with this id, if it was built. */
    public Optional<AgentImage> image(String imageId) {
        if (imageId == null || !imageId.matches("[a-z0-9._-]+")) return Optional.empty();
        Path dir = imagesDir.resolve(imageId);
        if (!Files.isRegularFile(dir.resolve("image.json"))) return Optional.empty();
        try {
            String name = Protocol.json().readTree(dir.resolve("image.json").toFile()).path("name").asText();
            return Optional.of(new AgentImage(imageId, name, dir.toString(), null));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Copies the image's bundles into {@code workspace/bundles/}; unknown id is an error naming the fix. */
    public void installInto(String imageId, Path workspace) {
        AgentImage image = image(imageId).orElseThrow(() -> new InvalidRequestException(
                "unknown image_id '" + imageId + "'; build one with packaging().createAgentImage(name, bundles) and pass job.image().id()"));
        Path from = Path.of(image.path()).resolve("bundles");
        Path to = workspace.resolve("bundles");
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(dest);
                else Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not copy image " + imageId + " into " + workspace, e);
        }
    }

    private PackageJob build(String id, String name, List<SourceBundle> bundles) {
        ReentrantLock lock = buildLocks.computeIfAbsent(name, k -> new ReentrantLock());
        lock.lock();
        Path staging = null;
        try {
            Path finalDir = imagesDir.resolve(id);
            if (Files.isRegularFile(finalDir.resolve("image.json"))) {
                return succeeded(id, name, finalDir);
            }
            for (SourceBundle b : bundles) {
                if (!blobs.exists(b.uri())) {
                    return failed(id, "bundle " + b.uri() + " (" + b.labels().get("name") + ") is not in the blob store; "
                            + "upload it with blobStore().uploadDir(path) and use the URI it returns");
                }
            }
            Files.createDirectories(imagesDir);
            staging = Files.createTempDirectory(imagesDir, ".build-" + name + "-");
            ObjectNode manifest = Protocol.json().createObjectNode()
                    .put("id", id).put("name", name).put("created_at", Instant.now().toString());
            ArrayNode list = manifest.putArray("bundles");
            for (SourceBundle b : bundles) {
                String dirName = b.labels().get("name");
                blobs.download(b.uri(), staging.resolve("bundles").resolve(dirName));
                ObjectNode entry = list.addObject().put("uri", b.uri());
                b.labels().forEach(entry.putObject("labels")::put);
            }
            Files.createDirectories(staging.resolve("bundles"));
            Protocol.json().writerWithDefaultPrettyPrinter().writeValue(staging.resolve("image.json").toFile(), manifest);
            Files.move(staging, finalDir, StandardCopyOption.ATOMIC_MOVE);
            staging = null;
            return succeeded(id, name, finalDir);
        } catch (IOException | RuntimeException e) {
            return failed(id, "building image '" + name + "' failed: " + e.getMessage());
        } finally {
            deleteTree(staging);
            lock.unlock();
        }
    }

    private static PackageJob succeeded(String id, String name, Path dir) {
        return new PackageJob(id, PackageJob.Status.SUCCEEDED, null, new AgentImage(id, name, dir.toString(), null));
    }

    private static PackageJob failed(String id, String error) {
        return new PackageJob(id, PackageJob.Status.FAILED, error, null);
    }

    /**
     * The request rules every {@link dev.agentkernel.Packaging} shares (local directories and OCI images): an
     * image name a registry accepts, at least one bundle, each with a distinct plain-directory {@code name}
     * label and a blob URI.
     */
    public static void validate(String name, List<SourceBundle> bundles) {
        if (name == null || !IMAGE_NAME.matcher(name).matches()) {
            throw new InvalidRequestException("invalid image name '" + name
                    + "': use 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (bundles == null || bundles.isEmpty()) {
            throw new InvalidRequestException("createAgentImage(\"" + name + "\", bundles) needs at least one SourceBundle");
        }
        Set<String> seen = new HashSet<>();
        for (SourceBundle b : bundles) {
            String dir = b.labels().get("name");
            if (dir == null || !LABEL_NAME.matcher(dir).matches()) {
                throw new InvalidRequestException("bundle " + b.uri() + " needs a label 'name' that is a plain directory name "
                        + "(letters, digits, '.', '_', '-'), e.g. new SourceBundle(uri, Map.of(\"name\", \"my_helpers\")); got " + dir);
            }
            if (!seen.add(dir)) {
                throw new InvalidRequestException("two bundles are both named '" + dir + "'; give each a distinct 'name' label");
            }
            BlobUri.parse(b.uri());
        }
    }

    static String imageId(String name, List<SourceBundle> bundles) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(name.getBytes(StandardCharsets.UTF_8));
            bundles.stream().sorted(Comparator.comparing(b -> b.labels().get("name"))).forEach(b -> {
                sha.update(("\0" + b.labels().get("name") + "=" + b.uri()).getBytes(StandardCharsets.UTF_8));
            });
            return name + "-" + HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover .build-* directory is ignored by image() and removed on the next failed attempt's cleanup
        }
    }
}
