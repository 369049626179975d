package dev.agentkernel.packaging.oci;

import dev.agentkernel.ConfigException;
import dev.agentkernel.Packaging;
import dev.agentkernel.blob.LocalBlobStore;
import dev.agentkernel.config.KernelConfig;
import dev.agentkernel.packaging.PackagingFactory;

import java.nio.file.Path;

/**
 * Registered in {@code META-INF/services/dev.agentkernel.packaging.PackagingFactory}: with this module on the
 * class path, a {@code backend: kubernetes} kernel's {@code packaging()} builds OCI images.
 */
public final class OciPackagingFactory implements PackagingFactory {
    /** The Kubernetes backend's name (module {@code k8s} is not a dependency of this one). */
    public static final String BACKEND = "kubernetes";

    @Override
    public String backend() {
        return BACKEND;
    }

    /**
     * A kernel without {@code registry_url} or {@code base_image} can still run pods from ready-made images, so
     * the missing keys are reported when an image is built, not when the kernel starts.
     */
    @Override
    public Packaging create(KernelConfig config, LocalBlobStore blobs, Path stateDir) {
        try {
            return OciPackaging.create(config, blobs, stateDir);
        } catch (ConfigException e) {
            String why = e.getMessage();
            return (name, bundles) -> {
                throw new ConfigException("cannot build agent image '" + name + "' for the kubernetes backend: " + why);
            };
        }
    }
}
