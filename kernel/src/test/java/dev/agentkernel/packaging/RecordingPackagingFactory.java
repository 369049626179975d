package dev.agentkernel.packaging;

import dev.agentkernel.PackageJob;
import dev.agentkernel.Packaging;
import dev.agentkernel.SourceBundle;
import dev.agentkernel.blob.LocalBlobStore;
import dev.agentkernel.config.KernelConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A ServiceLoader-registered packaging for the test backend "recording" (see RecordingBackendFactory). */
public final class RecordingPackagingFactory implements PackagingFactory {
    /** What {@link #create} was given, so the test can check the kernel passed its own config and dirs. */
    public record Made(KernelConfig config, LocalBlobStore blobs, Path stateDir) implements Packaging {
        @Override
        public CompletableFuture<PackageJob> createAgentImage(String name, List<SourceBundle> bundles) {
            return CompletableFuture.completedFuture(new PackageJob(name, PackageJob.Status.FAILED, "recording packaging builds nothing", null));
        }
    }

    @Override
    public String backend() { return "recording"; }

    @Override
    public Packaging create(KernelConfig config, LocalBlobStore blobs, Path stateDir) {
        return new Made(config, blobs, stateDir);
    }
}
