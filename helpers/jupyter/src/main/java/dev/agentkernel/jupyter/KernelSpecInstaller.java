package dev.agentkernel.jupyter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Installs the {@code agentkernel} kernelspec: {@code kernel.json} plus logos into
 * {@code <jupyter data dir>/kernels/<name>/}. Called by {@code bin/agentkernel install-kernel}.
 *
 * <p>Options: {@code --user} (default; {@code $JUPYTER_DATA_DIR} or {@code ~/.local/share/jupyter}),
 * {@code --sys-prefix} (the Python environment Jupyter runs in: {@code sys.prefix/share/jupyter}),
 * {@code --prefix DIR} ({@code DIR/share/jupyter}), {@code --name NAME}, {@code --java PATH}.
 */
public final class KernelSpecInstaller {
    static final String SPEC_RESOURCES = "dev/agentkernel/jupyter/spec/";
    static final List<String> LOGOS = List.of("logo-32x32.png", "logo-64x64.png");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9._-]+");
    private static final String USAGE = "usage: agentkernel install-kernel [--user | --sys-prefix | --prefix DIR]"
            + " [--name NAME] [--java PATH] [--aot]";

    /**
     * Class data sharing for the kernel JVM: the first kernel run writes an archive of the classes it loaded (the
     * basekernel, JShell and javac) into the kernelspec directory when it exits, and later starts map it instead of
     * loading and verifying those classes again. jupyter_client fills in {@code {resource_dir}}. A stale or
     * unwritable archive only costs the speed-up: the JVM rebuilds or ignores it.
     */
    static final String CDS_AUTO = "-XX:+AutoCreateSharedArchive";
    static final String CDS_ARCHIVE = "-XX:SharedArchiveFile={resource_dir}/agentkernel-cds.jsa";
    /**
     * With {@code --aot} (what {@code agentkernel install-kernel} passes unless {@code --no-aot}): a JDK 25 AOT cache
     * trained at install time by {@link AotTraining} (classes loaded and linked, method profiles), which the dynamic
     * CDS archive above cannot hold. The two exclude each other; without a JDK 25 or when training fails, the CDS
     * flags are used. A cache whose jars changed since (a rebuild) is refused by the JVM itself (it checks each
     * class-path jar), which then starts without it, and {@link #staleAotCache} names the fix in the kernel log.
     */
    static final String AOT_FILE = "agentkernel.aot";
    static final String AOT_CACHE = "-XX:AOTCache={resource_dir}/" + AOT_FILE;
    /** Training a cache takes ~10-20 s on 2 busy cores; more than this means something hangs. */
    static final long AOT_TRAINING_TIMEOUT_SECONDS = 300;

    private KernelSpecInstaller() {}

    /** Bad arguments or an environment the kernelspec cannot be installed into; the message says what to do. */
    public static final class KernelSpecException extends RuntimeException {
        public KernelSpecException(String message) {
            super(message);
        }
    }

    public enum Location { USER, SYS_PREFIX, PREFIX }

    /** What to install where. {@code prefix} is set only for {@link Location#PREFIX}. */
    public record Options(Location location, Optional<Path> prefix, String name, Optional<Path> java, boolean aot) {
        /** Without an AOT cache (the kernel JVM uses the self-made CDS archive). */
        public Options(Location location, Optional<Path> prefix, String name, Optional<Path> java) {
            this(location, prefix, name, java, false);
        }
    }

    /** What was installed. */
    public record Installed(Path directory, List<String> argv, Map<String, String> env) {
    }

    /** CLI entry: installs and prints where; returns 0, or 2 with the problem on stderr. */
    public static int run(List<String> args) {
        return run(args, System.out, System.err, System.getenv());
    }

    static int run(List<String> args, PrintStream out, PrintStream err, Map<String, String> env) {
        if (args.contains("--help") || args.contains("-h")) {
            out.println(USAGE);
            return 0;
        }
        try {
            Installed installed = install(parse(args), env);
            out.println("Installed kernelspec '" + installed.directory().getFileName() + "' (\"" + AgentKernelJupyter.DISPLAY_NAME
                    + "\") in " + installed.directory());
            out.println("  java: " + installed.argv().get(0));
            return 0;
        } catch (KernelSpecException e) {
            err.println("install-kernel: " + e.getMessage());
            return 2;
        }
    }

    public static Options parse(List<String> args) {
        Location location = null;
        Path prefix = null;
        String name = AgentKernelJupyter.KERNEL_NAME;
        Path java = null;
        boolean aot = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--user" -> location = only(location, Location.USER);
                case "--sys-prefix" -> location = only(location, Location.SYS_PREFIX);
                case "--prefix" -> {
                    location = only(location, Location.PREFIX);
                    prefix = Path.of(value(args, ++i, "--prefix", "a directory, e.g. --prefix /opt/jupyter"));
                }
                case "--name" -> {
                    name = value(args, ++i, "--name", "a kernel name, e.g. --name agentkernel");
                    if (!NAME.matcher(name).matches()) {
                        throw new KernelSpecException("Invalid kernel name '" + name
                                + "': use letters, digits, '.', '_' or '-' (Jupyter's rule for kernelspec names).");
                    }
                }
                case "--java" -> java = Path.of(value(args, ++i, "--java", "a java executable, e.g. --java /usr/lib/jvm/java-21/bin/java"));
                case "--aot" -> aot = true;
                default -> throw new KernelSpecException("Unknown option '" + arg + "'. " + USAGE);
            }
        }
        return new Options(location == null ? Location.USER : location, Optional.ofNullable(prefix), name,
                Optional.ofNullable(java), aot);
    }

    private static Location only(Location current, Location wanted) {
        if (current != null && current != wanted) {
            throw new KernelSpecException("Choose one of --user, --sys-prefix and --prefix DIR, not several.");
        }
        return wanted;
    }

    private static String value(List<String> args, int i, String option, String expected) {
        if (i >= args.size() || args.get(i).startsWith("--")) {
            throw new KernelSpecException(option + " needs " + expected + ".");
        }
        return args.get(i);
    }

    /** Installs per {@code options}; {@code env} supplies JUPYTER_DATA_DIR, HOME-derived dirs, the runner jar. */
    public static Installed install(Options options, Map<String, String> env) {
        String java = javaExecutable(options.java());
        List<String> classPath = classPath();
        Path dir = dataDir(options, env).resolve("kernels").resolve(options.name());

        List<String> jvmFlags = options.aot() && trainAotCache(java, classPath, dir) ? List.of(AOT_CACHE)
                : List.of(CDS_AUTO, CDS_ARCHIVE);
        List<String> argv = new ArrayList<>(List.of(java));
        argv.addAll(jvmFlags);
        argv.addAll(List.of("-cp", String.join(File.pathSeparator, classPath), JupyterMain.class.getName(), "{connection_file}"));
        Map<String, String> kernelEnv = runnerJar(env, classPath)
                .map(jar -> Map.of("AGENTKERNEL_RUNNER_JAR", jar))
                .orElse(Map.of());
        try {
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode spec = (ObjectNode) json.readTree(resource("kernel.json"));
            ArrayNode argvNode = spec.putArray("argv");
            argv.forEach(argvNode::add);
            spec.put("display_name", AgentKernelJupyter.DISPLAY_NAME);
            spec.put("language", "java");
            spec.put("interrupt_mode", "message");
            ObjectNode envNode = spec.putObject("env");
            kernelEnv.forEach(envNode::put);
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("kernel.json"), json.writeValueAsString(spec) + "\n");
            for (String logo : LOGOS) {
                try (InputStream in = resource(logo)) {
                    Files.copy(in, dir.resolve(logo), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new KernelSpecException("Cannot write the kernelspec to " + dir + ": " + e.getMessage()
                    + ". Check permissions, or choose another place with --user or --prefix DIR.");
        }
        return new Installed(dir, argv, kernelEnv);
    }

    /**
     * Runs {@link AotTraining} under {@code -XX:AOTCacheOutput} into {@code dir/agentkernel.aot}; true when the cache
     * was written. Any failure (a JDK before 25 does not know the flag, a training cell failed) leaves the kernel on
     * the CDS flags and says why on stderr: a slower first cell, never a kernel that does not start.
     */
    static boolean trainAotCache(String java, List<String> classPath, Path dir) {
        Path cache = dir.resolve(AOT_FILE);
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(cache);
            Path log = dir.resolve("agentkernel-aot-training.log");
            Process p = new ProcessBuilder(java, "-XX:AOTCacheOutput=" + cache, "-cp",
                    String.join(File.pathSeparator, classPath), AotTraining.class.getName())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(AOT_TRAINING_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                System.err.println("install-kernel: AOT training did not end within " + AOT_TRAINING_TIMEOUT_SECONDS
                        + " s (" + log + "); the kernel uses CDS instead");
                return false;
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(cache)) {
                System.err.println("install-kernel: AOT training failed (exit " + p.exitValue() + ", JDK 25+ needed; see "
                        + log + "); the kernel uses CDS instead");
                Files.deleteIfExists(cache);
                return false;
            }
            return true;
        } catch (IOException e) {
            System.err.println("install-kernel: cannot train the AOT cache in " + dir + ": " + e.getMessage()
                    + "; the kernel uses CDS instead");
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The guard against stale jars: when this JVM was started with an AOT cache older than a jar on its class path
     * (rebuilt after install-kernel), the JVM has refused the cache; the message says how to get the speed back.
     */
    static Optional<String> staleAotCache(List<String> jvmArgs, List<String> classPath) {
        Optional<Path> cache = jvmArgs.stream().filter(a -> a.startsWith("-XX:AOTCache="))
                .map(a -> Path.of(a.substring("-XX:AOTCache=".length()))).findFirst();
        if (cache.isEmpty() || !Files.isRegularFile(cache.get())) return Optional.empty();
        try {
            long built = Files.getLastModifiedTime(cache.get()).toMillis();
            for (String entry : classPath) {
                Path jar = Path.of(entry);
                if (Files.isRegularFile(jar) && Files.getLastModifiedTime(jar).toMillis() > built) {
                    return Optional.of("agentkernel: the AOT cache " + cache.get() + " is older than " + jar
                            + ", so the JVM started without it (slower first cell); run `agentkernel install-kernel`"
                            + " again to retrain it");
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Where Jupyter looks for data files, per the chosen location (same rules as {@code jupyter --paths}). */
    static Path dataDir(Options options, Map<String, String> env) {
        return switch (options.location()) {
            case PREFIX -> options.prefix().orElseThrow().toAbsolutePath().resolve("share").resolve("jupyter");
            case SYS_PREFIX -> Path.of(pythonSysPrefix(env)).resolve("share").resolve("jupyter");
            case USER -> userDataDir(env);
        };
    }

    static Path userDataDir(Map<String, String> env) {
        String explicit = env.get("JUPYTER_DATA_DIR");
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit).toAbsolutePath();
        Path home = Path.of(env.getOrDefault("HOME", System.getProperty("user.home")));
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac")) {
            return home.resolve("Library").resolve("Jupyter");
        }
        String xdg = env.get("XDG_DATA_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".local").resolve("share")).resolve("jupyter");
    }

    /** sys.prefix of the Python that has Jupyter: $AGENTKERNEL_PYTHON, else python3 on PATH, else /usr/bin/python3. */
    static String pythonSysPrefix(Map<String, String> env) {
        List<String> candidates = new ArrayList<>();
        Optional.ofNullable(env.get("AGENTKERNEL_PYTHON")).filter(s -> !s.isBlank()).ifPresent(candidates::add);
        candidates.add("python3");
        candidates.add("/usr/bin/python3");
        String fallback = null;
        for (String python : candidates) {
            Optional<String> withJupyter = runPython(python, "import sys, jupyter_client; print(sys.prefix)");
            if (withJupyter.isPresent()) return withJupyter.get();
            if (fallback == null) fallback = runPython(python, "import sys; print(sys.prefix)").orElse(null);
        }
        if (fallback != null) return fallback;
        throw new KernelSpecException("--sys-prefix needs a Python 3 to ask for sys.prefix, but none of "
                + candidates + " runs. Set AGENTKERNEL_PYTHON to Jupyter's python, or use --prefix DIR.");
    }

    private static Optional<String> runPython(String python, String script) {
        try {
            Process p = new ProcessBuilder(python, "-c", script).redirectErrorStream(false).start();
            p.getErrorStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 && !out.isEmpty() ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The java the kernel runs with: {@code --java} if given (checked to be Java 21+), else this JVM's. */
    static String javaExecutable(Optional<Path> requested) {
        if (requested.isEmpty()) {
            return ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        }
        Path java = requested.get().toAbsolutePath();
        if (!Files.isRegularFile(java) || !Files.isExecutable(java)) {
            throw new KernelSpecException("--java " + java + " is not an executable file. Pass the path of a Java 21+"
                    + " 'java', e.g. $JAVA_HOME/bin/java.");
        }
        int feature = javaFeatureVersion(java);
        if (feature < 21) {
            throw new KernelSpecException("--java " + java + " is Java " + (feature < 0 ? "of unknown version" : feature)
                    + "; the kernel needs Java 21 or newer.");
        }
        return java.toString();
    }

    private static int javaFeatureVersion(Path java) {
        try {
            Process p = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            Matcher m = Pattern.compile("version \"(1\\.)?(\\d+)").matcher(out);
            return m.find() ? Integer.parseInt(m.group(2)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** This JVM's class path, absolute, so the kernel finds the same classes from any working directory. */
    static List<String> classPath() {
        String cp = System.getProperty("java.class.path", "");
        List<String> entries = cp.isBlank() ? List.of() : List.of(cp.split(File.pathSeparator)).stream()
                .filter(e -> !e.isBlank())
                .map(e -> Path.of(e).toAbsolutePath().normalize().toString())
                .collect(Collectors.toList());
        if (entries.isEmpty()) {
            throw new KernelSpecException("This JVM has no class path to give the kernel. Run install-kernel through"
                    + " bin/agentkernel (java -cp <agentkernel jars> ...).");
        }
        return entries;
    }

    /** The runner jar: system property, environment, or next to a jar of the class path. */
    static Optional<String> runnerJar(Map<String, String> env, List<String> classPath) {
        List<String> candidates = new ArrayList<>();
        Optional.ofNullable(System.getProperty("agentkernel.runner.jar")).ifPresent(candidates::add);
        Optional.ofNullable(env.get("AGENTKERNEL_RUNNER_JAR")).ifPresent(candidates::add);
        for (String entry : classPath) {
            Path parent = Path.of(entry).getParent();
            if (entry.endsWith(".jar") && parent != null) {
                candidates.add(parent.resolve("agentkernel-runner.jar").toString());
            }
        }
        return candidates.stream()
                .filter(c -> !c.isBlank())
                .map(c -> Path.of(c).toAbsolutePath().normalize())
                .filter(Files::isRegularFile)
                .map(Path::toString)
                .findFirst();
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = KernelSpecInstaller.class.getClassLoader().getResourceAsStream(SPEC_RESOURCES + name);
        if (in == null) {
            throw new IOException("the kernelspec template " + SPEC_RESOURCES + name
                    + " is missing from the agentkernel-jupyter jar (rebuild helpers/jupyter)");
        }
        return in;
    }
}
