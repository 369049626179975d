package dev.agentkernel.e2e;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.spawn.local.AgentDir;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Builds, injects and closes the {@link Kernel} fields of a test class; see there. */
final class KernelExtension implements BeforeAllCallback, BeforeEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KernelExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        for (Field f : fields(context.getRequiredTestClass(), true)) f.set(null, build(context, f));
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        Object instance = context.getRequiredTestInstance();
        for (Field f : fields(context.getRequiredTestClass(), false)) f.set(instance, build(context, f));
    }

    private static AgentKernel build(ExtensionContext context, Field field) throws IOException {
        Path dir = Files.createTempDirectory("agentkernel-e2e-");
        Path stateDir = dir.resolve("state");
        Kernel spec = field.getAnnotation(Kernel.class);
        String factory = spec.value();
        Class<?> home = spec.in() == void.class ? context.getRequiredTestClass() : spec.in();
        AgentKernel kernel;
        try {
            kernel = factory.isEmpty() ? E2e.kernel(stateDir, Map.of()) : call(home, factory, stateDir);
        } catch (RuntimeException | Error e) {
            deleteTree(dir);
            throw e;
        }
        context.getStore(NS).put(field, new Fixture(kernel, dir));
        return kernel;
    }

    private static AgentKernel call(Class<?> type, String name, Path stateDir) {
        try {
            Method m = type.getDeclaredMethod(name, Path.class);
            if (!Modifier.isStatic(m.getModifiers()) || !AgentKernel.class.isAssignableFrom(m.getReturnType())) {
                throw new NoSuchMethodException();
            }
            m.setAccessible(true);
            return (AgentKernel) m.invoke(null, stateDir);
        } catch (NoSuchMethodException e) {
            throw new ExtensionConfigurationException("@Kernel(\"" + name + "\") needs a method `static AgentKernel "
                    + name + "(Path stateDir)` in " + type.getSimpleName());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }

    private static List<Field> fields(Class<?> type, boolean statics) {
        List<Field> out = new ArrayList<>();
        for (Field f : type.getDeclaredFields()) {
            if (!f.isAnnotationPresent(Kernel.class) || Modifier.isStatic(f.getModifiers()) != statics) continue;
            if (f.getType() != AgentKernel.class || Modifier.isFinal(f.getModifiers())) {
                throw new ExtensionConfigurationException("@Kernel field " + type.getSimpleName() + "." + f.getName()
                        + " must be a non-final AgentKernel");
            }
            f.setAccessible(true);
            out.add(f);
        }
        return out;
    }

    /**
     * Closed by JUnit when the field's context ends: the runners recorded in the state dir (and everything below
     * them) are collected before {@link AgentKernel#close()}, which must have ended them all.
     */
    private record Fixture(AgentKernel kernel, Path dir) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            List<Long> pids = new ArrayList<>();
            try {
                for (Path agent : E2e.agentDirs(kernel.stateDir())) {
                    try {
                        long pid = new AgentDir(agent).readRecord().pid();
                        if (pid > 0) pids.addAll(E2e.tree(pid));
                    } catch (IOException | RuntimeException unreadable) {
                        // a half-written or removed record: that agent never had a runner to leak
                    }
                }
                kernel.close();
                E2e.assertAllDead(pids);
            } finally {
                deleteTree(dir);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException busy) {
                    // a sandbox mount or a file a dying process still writes; the OS temp reaper gets it
                }
            }
        }
    }
}
