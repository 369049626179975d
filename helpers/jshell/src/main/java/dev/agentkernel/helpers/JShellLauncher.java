package dev.agentkernel.helpers;

import jdk.jshell.tool.JavaShellToolBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * {@code bin/agentkernel jshell [script]}: an interactive JShell with the kernel and helpers on its class
 * path, JShell's DEFAULT start-up plus {@code agentkernel.jsh}, and an optional script run after start-up.
 */
public final class JShellLauncher {
    /** Where agentkernel.jsh lives on the class path. */
    public static final String STARTUP_RESOURCE = "/dev/agentkernel/helpers/agentkernel.jsh";

    private static final java.util.regex.Pattern SECRET_NAME =
            java.util.regex.Pattern.compile("(?i)key|secret|token|password");

    private JShellLauncher() {}

    /** {@code java -cp ... dev.agentkernel.helpers.JShellLauncher [script]}. */
    public static void main(String[] args) {
        System.exit(run(List.of(args)));
    }

    /** Runs JShell on the process's standard streams; returns its exit code. */
    public static int run(List<String> args) {
        return run(args, System.in, System.out, System.err);
    }

    /**
     * Runs JShell on the given streams. {@code args} is an optional script path followed by any further
     * JShell options or load files, which are passed through unchanged.
     */
    public static int run(List<String> args, InputStream in, PrintStream out, PrintStream err) {
        return run(args, in, out, err, null);
    }

    /** As above; a non-null {@code persistence} map replaces JShell's user preferences (tests use it). */
    static int run(List<String> args, InputStream in, PrintStream out, PrintStream err,
                   java.util.Map<String, String> persistence) {
        Objects.requireNonNull(args, "args");
        for (String arg : args) {
            if (!arg.startsWith("-") && arg.endsWith(".jsh") && !Files.isRegularFile(Path.of(arg))) {
                throw new IllegalArgumentException("JShell script not found: " + Path.of(arg).toAbsolutePath()
                        + " — pass the path of an existing .jsh file, or no argument for an interactive session");
            }
        }
        Path startup = extractStartup();
        try {
            List<String> command = arguments(startup, classPath(System.getProperty("java.class.path", "")),
                    forwardedProperties(), args);
            JavaShellToolBuilder builder = JavaShellToolBuilder.builder().in(in, null).out(out).err(err);
            if (persistence != null) builder.persistence(persistence);
            return builder.start(command.toArray(String[]::new));
        } catch (Exception e) {
            throw new IllegalStateException("JShell failed to start: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(startup);
            } catch (IOException ignored) {
                // a leftover file in the temp directory is harmless; deleteOnExit is the second attempt
            }
        }
    }

    /**
     * The JShell command line: class path, our system properties for the snippets' JVM, DEFAULT plus our
     * start-up, then the caller's arguments.
     */
    static List<String> arguments(Path startup, List<String> classPath, java.util.Map<String, String> properties,
                                  List<String> userArgs) {
        List<String> command = new ArrayList<>();
        if (!classPath.isEmpty()) {
            command.add("--class-path");
            command.add(String.join(java.io.File.pathSeparator, classPath));
        }
        // Snippets run in a JVM of their own; it must find the runner jar etc. the way this one does.
        properties.forEach((key, value) -> command.add("-R-D" + key + "=" + value));
        // DEFAULT must be named explicitly: any --startup replaces JShell's default imports otherwise.
        command.add("--startup");
        command.add("DEFAULT");
        command.add("--startup");
        command.add(startup.toString());
        command.addAll(userArgs);
        return command;
    }

    /**
     * This JVM's {@code agentkernel.*} system properties (e.g. {@code agentkernel.runner.jar}), sorted.
     * Secrets (names with key, secret, token or password) stay behind: a command line is visible to every
     * user of the machine through {@code ps}.
     */
    static java.util.Map<String, String> forwardedProperties() {
        java.util.Map<String, String> forwarded = new java.util.TreeMap<>();
        System.getProperties().stringPropertyNames().stream()
                .filter(name -> name.startsWith("agentkernel."))
                .filter(name -> !SECRET_NAME.matcher(name).find())
                .forEach(name -> forwarded.put(name, System.getProperty(name)));
        return forwarded;
    }

    /**
     * The entries of a {@code java.class.path} value, each jar followed by the jars its manifest
     * {@code Class-Path} names (resolved against the jar's directory, recursively). {@code java -jar}
     * leaves only the launcher jar in {@code java.class.path}, yet JShell compiles against an explicit path.
     */
    public static List<String> classPath(String javaClassPath) {
        Set<String> entries = new LinkedHashSet<>();
        for (String entry : javaClassPath.split(java.io.File.pathSeparator)) {
            if (!entry.isBlank()) addWithManifest(Path.of(entry).toAbsolutePath().normalize(), entries);
        }
        return List.copyOf(entries);
    }

    private static void addWithManifest(Path entry, Set<String> entries) {
        if (!entries.add(entry.toString())) return;
        if (!Files.isRegularFile(entry) || !entry.getFileName().toString().endsWith(".jar")) return;
        try (JarFile jar = new JarFile(entry.toFile())) {
            Manifest manifest = jar.getManifest();
            String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
            if (classPath == null) return;
            Path base = entry.getParent();
            for (String ref : classPath.trim().split("\\s+")) {
                if (ref.isEmpty()) continue;
                Path resolved = resolve(base, ref);
                if (resolved != null && Files.exists(resolved)) addWithManifest(resolved, entries);
            }
        } catch (IOException e) {
            // not a readable jar: keep the entry as given and let JShell report it if it matters
        }
    }

    /** Class-Path entries are relative URLs (spaces encoded as %20), or occasionally absolute file: URLs. */
    private static Path resolve(Path base, String ref) {
        try {
            URI uri = new URI(ref);
            if (uri.isAbsolute()) return "file".equals(uri.getScheme()) ? Path.of(uri).normalize() : null;
            return base.resolve(uri.getPath()).normalize();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return base.resolve(ref).normalize();
        }
    }

    /** Copies agentkernel.jsh to a temp file, since JShell's --startup takes a file path, not a resource. */
    static Path extractStartup() {
        try (InputStream in = JShellLauncher.class.getResourceAsStream(STARTUP_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(STARTUP_RESOURCE + " is missing from the class path; "
                        + "rebuild agentkernel-helpers");
            }
            Path file = Files.createTempFile("agentkernel-", ".jsh");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write agentkernel.jsh to the temp directory", e);
        }
    }
}
