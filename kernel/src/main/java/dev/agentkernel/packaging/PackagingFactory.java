package dev.agentkernel.packaging;

import dev.agentkernel.Packaging;
import dev.agentkernel.blob.LocalBlobStore;
import dev.agentkernel.config.KernelConfig;

import java.nio.file.Path;

/**
 * Packaging for a non-local backend, found with {@link java.util.ServiceLoader} like
 * {@link dev.agentkernel.spawn.BackendFactory}: a module lists its factory in
 * {@code META-INF/services/dev.agentkernel.packaging.PackagingFactory} (module {@code oci} does, for
 * {@code kubernetes}). {@link dev.agentkernel.AgentKernel.Builder#build()} uses the factory whose
 * {@link #backend()} is the kernel's backend, and {@link LocalPackaging} when there is none.
 */
public interface PackagingFactory {
    /** The backend these images are for, as in the YAML {@code backend} key. */
    String backend();

    /**
     * Called once per kernel. An image it builds must be recorded in the {@link ImageIndex} under
     * {@code stateDir}, so the backend can turn the {@code image_id} a spawn passes into the image to run.
     */
    Packaging create(KernelConfig config, LocalBlobStore blobs, Path stateDir);
}
