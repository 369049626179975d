package dev.agentkernel.packaging.oci;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one open {@link LocalRegistry} (injected as a parameter) shared by the test run, in the root context's
 * store, and stops it with its storage when the run ends: JUnit closes AutoCloseable store values. Public so the
 * k8s module's tests can use it from this module's test jar.
 */
public final class RegistryExtension implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        return p.getParameter().getType() == LocalRegistry.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        ExtensionContext classContext = c.getRoot();
        return classContext.getStore(ExtensionContext.Namespace.create(RegistryExtension.class))
                .getOrComputeIfAbsent("registry", k -> {
                    try {
                        return LocalRegistry.start(null);
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException("could not start docker-registry: " + e.getMessage(), e);
                    }
                }, LocalRegistry.class);
    }
}
