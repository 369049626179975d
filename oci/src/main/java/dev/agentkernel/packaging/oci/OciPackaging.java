package dev.agentkernel.packaging.oci;

import dev.agentkernel.packaging.LocalPackaging;

import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryImage;
import dev.agentkernel.AgentImage;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.PackageJob;
import dev.agentkernel.Packaging;
import dev.agentkernel.SourceBundle;
import dev.agentkernel.blob.BlobUri;
import dev.agentkernel.blob.LocalBlobStore;
import dev.agentkernel.config.KernelConfig;
import dev.agentkernel.packaging.ImageIndex;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Agent images for the Kubernetes backend: a real OCI image built with jib-core (no Docker daemon) from the
 * configured base image plus one layer per bundle at {@code /opt/agentkernel/bundles/<label name>/}, labelled
 * {@code dev.agentkernel.bundle.<name>=sha256:<hex>}, and pushed to {@code <registry_url>/<name>:<tag>}.
 * The tag is a hash of the inputs and the layers are reproducible, so building the same bundles on the same
 * base again yields the same digest and pushes no layer twice.
 */
public final class OciPackaging implements Packaging {
    public static final String BUNDLE_LABEL_PREFIX = "dev.agentkernel.bundle.";
    public static final String BUNDLES_DIR = BundleLayers.BUNDLES_ROOT.toString();


    private final OciSettings settings;
    private final LocalBlobStore blobs;
    private final Path tmpRoot;
    private final ImageIndex index;
    private final ConcurrentHashMap<String, ReentrantLock> buildLocks = new ConcurrentHashMap<>();
    /** The latest state of each job id, so callers can poll instead of waiting on the future. */
    private final ConcurrentHashMap<String, PackageJob> jobs = new ConcurrentHashMap<>();

    public OciPackaging(OciSettings settings, LocalBlobStore blobs, Path stateDir) {
        this.settings = settings;
        this.blobs = blobs;
        this.tmpRoot = stateDir.resolve("oci-tmp");
        this.index = new ImageIndex(stateDir);
    }

    /** From the kernel config's {@code registry_url} and {@code base_image}; Jib's layer cache under the state dir. */
    public static OciPackaging create(KernelConfig config, LocalBlobStore blobs, Path stateDir) {
        return new OciPackaging(OciSettings.fromConfig(config, stateDir), blobs, stateDir);
    }

    public OciSettings settings() {
        return settings;
    }

    /** Where bundles are unpacked during a build; empty between builds. */
    public Path tempRoot() {
        return tmpRoot;
    }

    /**
     * Bad arguments (name, labels, a malformed URI) throw {@link InvalidRequestException} at once; everything that
     * goes wrong while building (unknown bundle, unreachable registry, 401, missing base image) completes the
     * future with a FAILED job whose error says what the registry said.
     */
    @Override
    public CompletableFuture<PackageJob> createAgentImage(String name, List<SourceBundle> bundles) {
        LocalPackaging.validate(name, bundles);
        String id = imageId(name, bundles);
        jobs.put(id, new PackageJob(id, PackageJob.Status.PENDING, null, null));
        return CompletableFuture.supplyAsync(() -> {
            PackageJob done = build(id, name, bundles);
            jobs.put(id, done);
            return done;
        }, Thread.ofVirtual()::start);
    }

    /**
     * The current state of a job: PENDING while it waits for another build of the same name, RUNNING while it
     * builds, then SUCCEEDED or FAILED. Empty for an id this instance never started.
     */
    public Optional<PackageJob> job(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    /** The lock that serialises builds of one image name (package-private so a test can hold it). */
    ReentrantLock lockFor(String name) {
        return buildLocks.computeIfAbsent(name, k -> new ReentrantLock());
    }

    /** The id of the job and image for these inputs: the name plus a hash of the bundles, stable across runs. */
    public static String imageId(String name, List<SourceBundle> bundles) {
        return name + "-" + contentHash("", name, bundles).substring(0, 12);
    }

    /** The reference an image with this name and tag is pushed to. */
    public String targetReference(String name, String tag) {
        return settings.registryUrl() + "/" + name + ":" + tag;
    }

    private PackageJob build(String id, String name, List<SourceBundle> bundles) {
        String target = settings.registryUrl() + "/" + name;
        // Two builds of one name would race on the same tag; one after the other the second is a cheap no-op.
        ReentrantLock lock = lockFor(name);
        lock.lock();
        jobs.put(id, new PackageJob(id, PackageJob.Status.RUNNING, null, null));
        Path work = null;
        try {
            for (SourceBundle b : bundles) {
                if (!blobs.exists(b.uri())) {
                    return failed(id, "bundle " + b.uri() + " (" + b.labels().get("name") + ") is not in the blob store; "
                            + "upload it with blobStore().uploadDir(path) and use the URI it returns");
                }
            }
            boolean insecure = Registries.allowInsecure(settings, settings.baseImage(), target);
            Optional<String> baseDigest = baseDigest(insecure);
            if (baseDigest.isEmpty()) {
                String why = settings.baseImage().startsWith(Registries.TAR_PREFIX) ? "no such file" : "the registry answered: manifest unknown";
                return failed(id, "base image " + settings.baseImage() + " does not exist (" + why + "); "
                        + "build it with scripts/build_base_image.sh --to " + settings.baseImage() + " or fix base_image");
            }
            target = targetReference(name, contentHash(baseDigest.get(), name, bundles));
            // The tag is a hash of every input, so if the registry has it, it holds exactly this image: nothing to do.
            Optional<String> existing = Registries.manifestDigest(target, settings, insecure);
            if (existing.isPresent()) return succeeded(id, name, existing.get(), bundles);
            Files.createDirectories(tmpRoot);
            work = Files.createTempDirectory(tmpRoot, name + "-");
            JibContainerBuilder image = Registries.from(settings.baseImage(), settings);
            Map<String, String> labels = new TreeMap<>();
            for (SourceBundle b : sorted(bundles)) {
                String dir = b.labels().get("name");
                Path unpacked = work.resolve(dir);
                blobs.download(b.uri(), unpacked);
                image.addFileEntriesLayer(BundleLayers.layer("bundle " + dir, unpacked, BundleLayers.BUNDLES_ROOT.resolve(dir)));
                labels.put(BUNDLE_LABEL_PREFIX + dir, "sha256:" + BlobUri.parse(b.uri()).sha256Hex());
            }
            labels.forEach(image::addLabel);
            RegistryImage to = Registries.registryImage(target, settings, "target image");
            JibContainer pushed = image.containerize(Registries.containerizer(to, settings, insecure));
            return succeeded(id, name, pushed.getDigest().toString(), bundles);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(id, "building " + target + " was interrupted");
        } catch (Exception e) {
            return failed(id, JibFailures.describe(e, target));
        } finally {
            deleteTree(work);
            lock.unlock();
        }
    }

    /** The base's digest (so a rebuilt base under the same tag gives new agent images), empty when it is missing. */
    private Optional<String> baseDigest(boolean insecure) throws Exception {
        String base = settings.baseImage();
        if (base.startsWith(Registries.TAR_PREFIX)) {
            Path tar = Path.of(base.substring(Registries.TAR_PREFIX.length()));
            return Files.isRegularFile(tar) ? Optional.of(Registries.fileDigest(tar)) : Optional.empty();
        }
        Optional<String> pinned = Registries.parse(base, "base image").getDigest();
        return pinned.isPresent() ? pinned : Registries.manifestDigest(base, settings, insecure);
    }

    /** Also records the image in the state dir's {@link ImageIndex}: that is how a spawn's image_id finds it. */
    private PackageJob succeeded(String id, String name, String digest, List<SourceBundle> bundles) {
        String reference = settings.registryUrl() + "/" + name + "@" + digest;
        index.record(new ImageIndex.Entry(id, name, reference, sorted(bundles).stream().map(b -> b.labels().get("name")).toList()));
        return new PackageJob(id, PackageJob.Status.SUCCEEDED, null, new AgentImage(id, name, null, reference));
    }

    private static List<SourceBundle> sorted(List<SourceBundle> bundles) {
        List<SourceBundle> list = new ArrayList<>(bundles);
        list.sort(Comparator.comparing(b -> b.labels().get("name")));
        return list;
    }

    private static PackageJob failed(String id, String error) {
        return new PackageJob(id, PackageJob.Status.FAILED, error, null);
    }

    /** The content hash of what goes into the image: base digest, name, and each bundle's name and digest. */
    static String contentHash(String baseDigest, String name, List<SourceBundle> bundles) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(("agentkernel-oci-v1\0" + baseDigest + "\0" + name).getBytes(StandardCharsets.UTF_8));
            for (SourceBundle b : sorted(bundles)) {
                sha.update(("\0" + b.labels().get("name") + "=" + b.uri()).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a leftover directory under oci-tmp is never read again
        }
    }
}
