package dev.agentkernel.packaging.oci;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import dev.agentkernel.InvalidRequestException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the runner's base image with Jib: a JRE image plus {@code /opt/agentkernel/agentkernel-runner.jar} and
 * its {@code lib/}, run as a non-root user in {@code /workspace} with the runner as entrypoint. This is the
 * image the Kubernetes backend's pods run ({@code base_image}) and what {@link OciPackaging} adds bundles to.
 * Run by {@code scripts/build_base_image.sh}; usable from Java through {@link #build(Options)}.
 */
public final class BaseImageBuilder {
    public static final String DEFAULT_FROM = "eclipse-temurin:21-jre";
    public static final String DEFAULT_TO = "127.0.0.1:5000/agentkernel/runner:0.1.0";
    public static final String APP_DIR = "/opt/agentkernel";
    public static final String RUNNER_JAR = APP_DIR + "/agentkernel-runner.jar";
    /** The Kubernetes backend's pods run as this uid (k8s AgentObjects.RUNNER_UID); the image agrees. */
    public static final String USER = "10001:10001";
    public static final String WORKDIR = "/workspace";
    public static final List<String> ENTRYPOINT = List.of("java", "-cp", RUNNER_JAR + ":" + APP_DIR + "/lib/*",
            "dev.agentkernel.runner.RunnerMain", "--config", "/etc/agentkernel/config.json");

    /** {@code to} is a registry reference or {@code tar:/path.tar}; {@code runnerDir} holds the runner jar and lib/. */
    public record Options(String from, String to, boolean force, Path runnerDir, boolean insecure, Path cacheDir) {
        public Options {
            if (from == null || from.isBlank()) from = DEFAULT_FROM;
            if (to == null || to.isBlank()) to = DEFAULT_TO;
        }
    }

    /** What happened: the image's digest, or that an existing tag was kept. */
    public record Result(String reference, String digest, boolean built) {}

    private BaseImageBuilder() {}

    public static Result build(Options o) throws Exception {
        Path jar = o.runnerDir().resolve("agentkernel-runner.jar");
        Path lib = o.runnerDir().resolve("lib");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(lib)) {
            throw new InvalidRequestException("no runner build in " + o.runnerDir() + " (need agentkernel-runner.jar and lib/); "
                    + "build it first: mvn -q -B -pl runner package");
        }
        OciSettings settings = new OciSettings(registryOf(o.to()), o.from(), o.insecure(), null, null, null, o.cacheDir());
        boolean toTar = o.to().startsWith(Registries.TAR_PREFIX);
        boolean insecure = Registries.allowInsecure(settings, o.from(), o.to());
        if (!o.force() && !toTar) {
            Optional<String> existing = Registries.manifestDigest(o.to(), settings, insecure);
            if (existing.isPresent()) return new Result(o.to(), existing.get(), false);
        }

        JibContainerBuilder image = Registries.from(o.from(), settings)
                .addFileEntriesLayer(libLayer(lib))
                .addFileEntriesLayer(FileEntriesLayer.builder().setName("runner").addEntry(new FileEntry(jar,
                        AbsoluteUnixPath.get(RUNNER_JAR), FilePermissions.fromOctalString("644"), BundleLayers.MODIFICATION_TIME, "0:0")).build())
                .setEntrypoint(ENTRYPOINT)
                .setProgramArguments(List.of())
                .setUser(USER)
                .setWorkingDirectory(AbsoluteUnixPath.get(WORKDIR))
                .addLabel("org.opencontainers.image.title", "agentkernel-runner");
        Containerizer containerizer = toTar
                ? Containerizer.to(TarImage.at(Path.of(o.to().substring(Registries.TAR_PREFIX.length())))
                        .named("agentkernel/runner:0.1.0")).setToolName("agentkernel").setAllowInsecureRegistries(insecure)
                : Registries.containerizer(Registries.registryImage(o.to(), settings, "target image"), settings, insecure);
        if (toTar && o.cacheDir() != null) {
            containerizer.setBaseImageLayersCache(o.cacheDir().resolve("base")).setApplicationLayersCache(o.cacheDir().resolve("app"));
        }
        JibContainer result = image.containerize(containerizer);
        return new Result(o.to(), result.getDigest().toString(), true);
    }

    private static FileEntriesLayer libLayer(Path lib) throws java.io.IOException {
        return BundleLayers.layer("runner dependencies", lib, AbsoluteUnixPath.get(APP_DIR + "/lib"));
    }

    private static String registryOf(String to) {
        if (to.startsWith(Registries.TAR_PREFIX)) return "localhost";
        return Registries.parse(to, "target image").getRegistry();
    }

    public static void main(String[] args) {
        String from = null, to = null;
        boolean force = false, insecure = false;
        Path runnerDir = Path.of("runner/target");
        Path cacheDir = null;
        List<String> rest = new ArrayList<>(List.of(args));
        try {
            while (!rest.isEmpty()) {
                String a = rest.removeFirst();
                switch (a) {
                    case "--from" -> from = value(a, rest);
                    case "--to" -> to = value(a, rest);
                    case "--force-base" -> force = true;
                    case "--insecure" -> insecure = true;
                    case "--runner-dir" -> runnerDir = Path.of(value(a, rest));
                    case "--cache-dir" -> cacheDir = Path.of(value(a, rest));
                    case "-h", "--help" -> {
                        System.out.println(usage());
                        return;
                    }
                    default -> throw new InvalidRequestException("unknown option '" + a + "'\n" + usage());
                }
            }
            Result r = build(new Options(from, to, force, runnerDir, insecure, cacheDir));
            System.out.println((r.built() ? "built " : "exists (use --force-base to rebuild) ") + r.reference() + "@" + r.digest());
        } catch (InvalidRequestException e) {
            System.err.println("build_base_image: " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("build_base_image: " + JibFailures.describe(e, to == null ? DEFAULT_TO : to));
            System.exit(1);
        }
    }

    private static String value(String option, List<String> rest) {
        if (rest.isEmpty()) throw new InvalidRequestException(option + " needs a value\n" + usage());
        return rest.removeFirst();
    }

    static String usage() {
        return """
                usage: build_base_image.sh [--force-base] [--from IMAGE] [--to IMAGE] [--runner-dir DIR] [--insecure] [--cache-dir DIR]
                  --from IMAGE   JRE base: registry reference or tar:/path.tar (default %s)
                  --to IMAGE     where to push: registry reference or tar:/path.tar (default %s)
                  --force-base   rebuild and push even if the tag already exists
                  --runner-dir   directory with agentkernel-runner.jar and lib/ (default runner/target)
                  --insecure     allow plain HTTP/self-signed TLS for a non-loopback registry""".formatted(DEFAULT_FROM, DEFAULT_TO);
    }
}
