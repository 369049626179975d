package dev.agentkernel.cells;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * IJava's line magics for dependencies, in a cell or a {@code <helpers>} block: a line starting with {@code %}
 * is a magic, run before the block's Java (the line itself is blanked, so Java line numbers stay the cell's).
 * <ul>
 *   <li>{@code %maven g:a:v [g:a:v ...]}: resolve from Maven Central with their dependencies, add to the class path;</li>
 *   <li>{@code %jars PATH-or-GLOB ...}: add jars, e.g. {@code %jars lib/*.jar} (relative to the kernel's directory);</li>
 *   <li>{@code %classpath [PATH ...]}: add directories or jars; alone, print what magics added so far.</li>
 * </ul>
 */
final class Magics {
    private final Consumer<String> addToClasspath;
    private final MavenDependencies maven;
    private final Set<String> added = new LinkedHashSet<>();

    Magics(Consumer<String> addToClasspath, Map<String, String> env) {
        this.addToClasspath = addToClasspath;
        this.maven = new MavenDependencies(env);
    }

    static boolean isMagicLine(String line) {
        String s = line.stripLeading();
        return s.startsWith("%") && !s.startsWith("%%");
    }

    /** The block's code with magic lines blanked; the magics run first, in order. */
    String run(String code, int firstLine, PrintStream out) throws CellError {
        if (code.lines().noneMatch(Magics::isMagicLine)) return code;
        String[] lines = code.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (!isMagicLine(lines[i])) continue;
            runOne(lines[i].strip(), firstLine + i, out);
            lines[i] = "";
        }
        return String.join("\n", lines);
    }

    private void runOne(String line, int cellLine, PrintStream out) throws CellError {
        String[] words = line.substring(1).strip().split("\\s+");
        String name = words[0];
        List<String> args = List.of(words).subList(1, words.length);
        switch (name) {
            case "maven" -> {
                need(args, line, cellLine, "coordinates, e.g. %maven org.apache.commons:commons-lang3:3.17.0");
                for (String coordinates : args) {
                    List<Path> jars = maven.resolve(coordinates);
                    jars.forEach(this::add);
                    out.println("%maven " + coordinates + ": " + jars.size() + " jar(s) on the class path: "
                            + jars.stream().map(p -> p.getFileName().toString()).toList());
                }
            }
            case "jars" -> {
                need(args, line, cellLine, "paths or globs, e.g. %jars lib/*.jar");
                for (String pattern : args) {
                    List<Path> jars = glob(pattern, line, cellLine);
                    jars.forEach(this::add);
                    out.println("%jars " + pattern + ": " + jars.size() + " jar(s) on the class path");
                }
            }
            case "classpath" -> {
                if (args.isEmpty()) {
                    out.println(added.isEmpty() ? "(nothing added by %maven, %jars or %classpath yet)" : String.join("\n", added));
                    return;
                }
                for (String entry : args) {
                    Path path = Path.of(entry).toAbsolutePath().normalize();
                    if (!Files.exists(path)) {
                        throw CellError.of("MagicError", "line " + cellLine + ": %classpath " + entry + ": " + path
                                + " does not exist; give an existing directory or jar");
                    }
                    add(path);
                }
                out.println("%classpath: " + args.size() + " entr" + (args.size() == 1 ? "y" : "ies") + " added");
            }
            default -> throw CellError.of("MagicError", "line " + cellLine + ": unknown magic %" + name
                    + "; this kernel knows %maven, %jars and %classpath");
        }
    }

    private void add(Path path) {
        String entry = path.toAbsolutePath().normalize().toString();
        if (added.add(entry)) addToClasspath.accept(entry);
    }

    private static void need(List<String> args, String line, int cellLine, String what) throws CellError {
        if (args.isEmpty()) throw CellError.of("MagicError", "line " + cellLine + ": " + line + " needs " + what);
    }

    /** A path, or a glob in its last part ({@code lib/*.jar}); an empty match is an error, not a silent no-op. */
    private static List<Path> glob(String pattern, String line, int cellLine) throws CellError {
        Path asPath = Path.of(pattern).toAbsolutePath().normalize();
        if (!pattern.contains("*") && !pattern.contains("?") && !pattern.contains("[")) {
            if (Files.isRegularFile(asPath)) return List.of(asPath);
            throw CellError.of("MagicError", "line " + cellLine + ": %jars " + pattern + ": " + asPath + " is not a file");
        }
        Path dir = asPath.getParent();
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + asPath.getFileName());
        List<Path> jars = new ArrayList<>();
        if (dir != null && Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(p -> matcher.matches(p.getFileName()) && Files.isRegularFile(p)).sorted().forEach(jars::add);
            } catch (IOException e) {
                throw CellError.of("MagicError", "line " + cellLine + ": %jars " + pattern + ": cannot list " + dir + ": " + e.getMessage());
            }
        }
        if (jars.isEmpty()) {
            throw CellError.of("MagicError", "line " + cellLine + ": %jars " + pattern + " matches no file (looked in "
                    + dir + "); check the path, relative to " + Path.of("").toAbsolutePath());
        }
        return jars;
    }
}
