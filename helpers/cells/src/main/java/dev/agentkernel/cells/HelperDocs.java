package dev.agentkernel.cells;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;

import javax.tools.JavaCompiler;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Javadoc of the helpers for the inspector (Shift+Tab). JShell looks Javadoc up only in the JDK's
 * {@code src.zip}, so for {@code ask}, {@code spawn}, ... it found a signature and no text. The helpers jar
 * carries copies of its sources under {@value #ROOT}; this parses the one a signature names (javac's parser,
 * no compilation) and returns the method's doc comment. An overload without its own comment gets the comment
 * of the first documented overload of the same name.
 */
final class HelperDocs {
    static final String ROOT = "agentkernel-sources/";
    private static final List<String> PACKAGES = List.of("dev/agentkernel/helpers/");
    /** {@code [type ][pkg.]Class.method(params)}: JShell's signature of a method. */
    private static final Pattern METHOD = Pattern.compile("(?:^|[\\s.])(\\w+)\\.(\\w+)\\((.*)\\)");

    /** class simple name → (method key → comment); "name(p1,p2)" and "name" keys. */
    private final Map<String, Map<String, String>> byClass = new ConcurrentHashMap<>();

    /** The Javadoc for a JShell method signature such as {@code String Helpers.ask(AgentKernel kernel, ...)}. */
    Optional<String> forSignature(String signature) {
        Matcher m = METHOD.matcher(signature);
        if (!m.find()) return Optional.empty();
        Map<String, String> docs = byClass.computeIfAbsent(m.group(1), this::load);
        String key = m.group(2) + "(" + parameterNames(m.group(3)) + ")";
        String doc = docs.get(key);
        if (doc == null) doc = docs.get(m.group(2));
        return Optional.ofNullable(doc);
    }

    /** "dev.x.AgentKernel kernel, String... mimeTypes" → "kernel,mimeTypes". */
    private static String parameterNames(String parameters) {
        if (parameters.isBlank()) return "";
        return java.util.Arrays.stream(splitTopLevel(parameters))
                .map(p -> p.strip().substring(p.strip().lastIndexOf(' ') + 1))
                .collect(Collectors.joining(","));
    }

    private static String[] splitTopLevel(String parameters) {
        List<String> parts = new java.util.ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i < parameters.length(); i++) {
            char c = parameters.charAt(i);
            if (c == '<') depth++;
            else if (c == '>') depth--;
            else if (c == ',' && depth == 0) {
                parts.add(parameters.substring(from, i));
                from = i + 1;
            }
        }
        parts.add(parameters.substring(from));
        return parts.toArray(String[]::new);
    }

    private Map<String, String> load(String simpleClassName) {
        for (String pkg : PACKAGES) {
            String source = read(ROOT + pkg + simpleClassName + ".java");
            if (source != null) return parse(simpleClassName, source);
        }
        return Map.of();
    }

    private static String read(String resource) {
        try (InputStream in = HelperDocs.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    private static Map<String, String> parse(String name, String source) {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) return Map.of();
        var file = new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), javax.tools.JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        Map<String, String> docs = new HashMap<>();
        try {
            JavacTask task = (JavacTask) compiler.getTask(null, null, d -> {}, List.of("-proc:none"), null, List.of(file));
            Trees trees = Trees.instance(task);
            for (CompilationUnitTree unit : task.parse()) {
                for (Tree type : unit.getTypeDecls()) {
                    if (!(type instanceof ClassTree cls)) continue;
                    for (Tree member : cls.getMembers()) {
                        if (!(member instanceof MethodTree method)) continue;
                        String doc = trees.getDocComment(TreePath.getPath(unit, method));
                        if (doc == null || doc.isBlank()) continue;
                        String text = doc.strip();
                        String params = method.getParameters().stream().map(VariableTree::getName).map(Object::toString)
                                .collect(Collectors.joining(","));
                        docs.put(method.getName() + "(" + params + ")", text);
                        docs.putIfAbsent(method.getName().toString(), text);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return docs; // a parse problem costs the inspector its text, never the kernel
        }
        return docs;
    }
}
