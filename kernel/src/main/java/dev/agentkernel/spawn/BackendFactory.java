package dev.agentkernel.spawn;

/**
 * Makes a non-local backend (sandbox, kubernetes) available to {@link dev.agentkernel.AgentKernel} through
 * {@link java.util.ServiceLoader}: a backend module lists its factory in
 * {@code META-INF/services/dev.agentkernel.spawn.BackendFactory}, so the core kernel carries no cluster client.
 */
public interface BackendFactory {
    /** The backend name used in {@code backend(...)} and in the YAML {@code backend} key. */
    String name();

    Backend create(BackendContext context);
}
