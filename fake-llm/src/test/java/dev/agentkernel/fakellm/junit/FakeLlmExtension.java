package dev.agentkernel.fakellm.junit;

import dev.agentkernel.fakellm.FakeLlmServer;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts and closes the {@link FakeLlm} servers of a test class. Servers live in the JUnit store of the context
 * they belong to (class for static fields, test method otherwise), so JUnit closes them even when a test or a
 * {@code @BeforeAll} fails.
 */
public final class FakeLlmExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(FakeLlmExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        for (Field f : fields(context.getRequiredTestClass(), true)) f.set(null, server(context));
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        Object instance = context.getRequiredTestInstance();
        for (Field f : fields(context.getRequiredTestClass(), false)) f.set(instance, server(context));
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.isAnnotated(FakeLlm.class) && parameter.getParameter().getType() == FakeLlmServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return server(context);
    }

    /** The one server of this context: a class-level context shares it with every static field and parameter. */
    private static FakeLlmServer server(ExtensionContext context) {
        return context.getStore(NS).getOrComputeIfAbsent("server", k -> new Holder(FakeLlmServer.start(0)), Holder.class).server;
    }

    private static List<Field> fields(Class<?> type, boolean statics) {
        List<Field> out = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!f.isAnnotationPresent(FakeLlm.class) || Modifier.isStatic(f.getModifiers()) != statics) continue;
                if (f.getType() != FakeLlmServer.class) {
                    throw new ExtensionConfigurationException("@FakeLlm field " + c.getSimpleName() + "." + f.getName()
                            + " must have type FakeLlmServer, not " + f.getType().getSimpleName());
                }
                if (Modifier.isFinal(f.getModifiers())) {
                    throw new ExtensionConfigurationException("@FakeLlm field " + c.getSimpleName() + "." + f.getName()
                            + " must not be final: the extension assigns it");
                }
                f.setAccessible(true);
                out.add(f);
            }
        }
        return out;
    }

    /** Store value JUnit closes when its context ends. */
    private record Holder(FakeLlmServer server) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
        }
    }
}
