package dev.agentkernel.arch;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Pins the public surface notebooks, scripts and other projects rely on (../shared/api.md): every public type of
 * the packages below with its public and protected members, against {@code src/test/resources/public-api.txt}
 * (OkHttp's PublicInternalApiTest is the model). Adding is fine, removing or changing is a decision: the failure
 * lists both, and {@code -Dagentkernel.api.update=true} rewrites the file after a deliberate change.
 */
class PublicApiTest {
    static final List<String> PUBLIC_PACKAGES = List.of("dev.agentkernel", "dev.agentkernel.helpers", "dev.agentkernel.config",
            "dev.agentkernel.bus");
    static final Path PINNED = Path.of("src/test/resources/public-api.txt");

    @Test
    void thePublicApiIsWhatIsPinned() throws Exception {
        List<String> now = surface();
        if (Boolean.getBoolean("agentkernel.api.update")) {
            Files.write(PINNED, now, StandardCharsets.UTF_8);
            return;
        }
        List<String> pinned = Files.readAllLines(PINNED, StandardCharsets.UTF_8);
        List<String> removed = new ArrayList<>(pinned);
        removed.removeAll(now);
        List<String> added = new ArrayList<>(now);
        added.removeAll(pinned);
        assertTrue(removed.isEmpty() && added.isEmpty(), "the public API changed (shared/api.md: add freely, do not rename)."
                + "\nremoved or changed:\n  " + String.join("\n  ", removed) + "\nadded:\n  " + String.join("\n  ", added)
                + "\nIf this is intended, run PublicApiTest with -Dagentkernel.api.update=true and commit public-api.txt.");
    }

    @Test
    void theSurfaceCoversTheTypesUsersNameFirst() throws Exception {
        String all = String.join("\n", surface());
        for (String type : List.of("class dev.agentkernel.AgentKernel", "dev.agentkernel.SpawnRequest$Builder",
                "class dev.agentkernel.helpers.Helpers", "dev.agentkernel.AgentClient")) {
            assertTrue(all.contains(type), type);
        }
    }

    static List<String> surface() throws Exception {
        Set<String> lines = new TreeSet<>();
        var classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(PUBLIC_PACKAGES.toArray(String[]::new));
        for (JavaClass jc : classes) {
            if (!PUBLIC_PACKAGES.contains(jc.getPackageName())) continue;
            Class<?> c = Class.forName(jc.getName(), false, PublicApiTest.class.getClassLoader());
            if (!exposed(c)) continue;
            String type = c.isInterface() ? "interface" : c.isEnum() ? "enum" : c.isRecord() ? "record" : "class";
            lines.add(type + " " + c.getName() + (c.getGenericSuperclass() == null || c.getSuperclass() == Object.class
                    || c.isEnum() || c.isRecord() ? "" : " extends " + c.getGenericSuperclass().getTypeName())
                    + (c.getGenericInterfaces().length == 0 ? "" : " implements " + String.join(", ",
                    java.util.Arrays.stream(c.getGenericInterfaces()).map(java.lang.reflect.Type::getTypeName).toList())));
            for (Constructor<?> k : c.getDeclaredConstructors()) if (visible(k)) lines.add(c.getName() + " " + signature(k));
            for (Method m : c.getDeclaredMethods()) if (visible(m) && !m.isSynthetic() && !m.isBridge()) lines.add(c.getName() + " " + signature(m));
            for (Field f : c.getDeclaredFields()) {
                if (visible(f) && !f.isSynthetic() && !f.isEnumConstant()) lines.add(c.getName() + " field " + f.getGenericType().getTypeName() + " " + f.getName());
                if (f.isEnumConstant()) lines.add(c.getName() + " constant " + f.getName());
            }
        }
        return new ArrayList<>(lines);
    }

    /** A public type, and every type enclosing it public too. */
    private static boolean exposed(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass()) return false;
        }
        return true;
    }

    private static boolean visible(java.lang.reflect.Member m) {
        return Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers());
    }

    private static String signature(Executable e) {
        String s = e.toGenericString();
        // drop the declaring class prefix of the name: "public static T dev.agentkernel.X.m(...)" -> "public static T m(...)"
        String owner = e.getDeclaringClass().getName() + ".";
        return e instanceof Constructor<?> ? s.replace(e.getDeclaringClass().getName() + "(", "<init>(") : s.replace(owner + e.getName() + "(", e.getName() + "(");
    }
}
