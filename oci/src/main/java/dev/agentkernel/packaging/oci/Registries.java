package dev.agentkernel.packaging.oci;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.CredentialRetriever;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.event.EventHandlers;
import com.google.cloud.tools.jib.global.JibSystemProperties;
import com.google.cloud.tools.jib.http.FailoverHttpClient;
import com.google.cloud.tools.jib.registry.RegistryClient;
import com.google.cloud.tools.jib.registry.credentials.CredentialRetrievalException;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import dev.agentkernel.InvalidRequestException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/** Turns settings strings into Jib images: references, credentials, and the insecure-registry decision. */
final class Registries {
    /** A base image given as {@code tar:/path} is a {@code docker save}-style tar (what Jib writes with {@code Containerizer.to(TarImage)}). */
    static final String TAR_PREFIX = "tar:";

    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]", "::1");

    private Registries() {}

    /** True when the reference's registry host is this machine (any port). */
    static boolean isLoopback(String registryOrReference) {
        String host = registryOrReference.split("/", 2)[0];
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            host = close > 0 ? host.substring(0, close + 1) : host;
        } else if (host.indexOf(':') >= 0) {
            host = host.substring(0, host.indexOf(':'));
        }
        host = host.toLowerCase(Locale.ROOT);
        return LOOPBACK.contains(host) || host.startsWith("127.");
    }

    static boolean allowInsecure(OciSettings settings, String... references) {
        if (settings.insecureRegistry()) return true;
        for (String r : references) {
            if (r != null && !r.startsWith(TAR_PREFIX) && !isLoopback(r)) return false;
        }
        return true;
    }

    static ImageReference parse(String reference, String what) {
        try {
            return ImageReference.parse(reference);
        } catch (InvalidImageReferenceException e) {
            throw new InvalidRequestException("invalid " + what + " '" + reference
                    + "': expected registry/repository[:tag|@sha256:digest], e.g. 127.0.0.1:5000/agentkernel/runner:0.1.0");
        }
    }

    /** A registry image with the configured credentials: explicit ones first, then the Docker config. */
    static RegistryImage registryImage(String reference, OciSettings settings, String what) {
        ImageReference ref = parse(reference, what);
        RegistryImage image = RegistryImage.named(ref);
        if (settings.username() != null) {
            image.addCredential(settings.username(), settings.password());
        } else {
            image.addCredentialRetriever(dockerConfig(ref, settings));
        }
        return image;
    }

    /**
     * The manifest digest the registry holds for this reference (tag or digest), or empty when the repository or
     * tag is absent. One authenticated HEAD/GET: this is what makes an unchanged rebuild cheap.
     */
    static Optional<String> manifestDigest(String reference, OciSettings settings, boolean insecure)
            throws IOException, RegistryException, CredentialRetrievalException {
        JibProxy.apply(System.getenv());
        ImageReference ref = parse(reference, "image");
        Optional<Credential> credential = settings.username() != null
                ? Optional.of(Credential.from(settings.username(), settings.password()))
                : dockerConfig(ref, settings).retrieve();
        FailoverHttpClient http = new FailoverHttpClient(insecure, JibSystemProperties.sendCredentialsOverHttp(), e -> {});
        try {
            RegistryClient.Factory factory = RegistryClient.factory(EventHandlers.NONE, ref.getRegistry(), ref.getRepository(), http);
            credential.ifPresent(factory::setCredential);
            RegistryClient client = factory.newRegistryClient();
            if (credential.isPresent()) client.configureBasicAuth();
            client.doPullBearerAuth();
            return client.checkManifest(ref.getQualifier()).map(m -> m.getDigest().toString());
        } finally {
            http.shutDown();
        }
    }

    /** sha256 of a base image tar, so a rebuilt tar at the same path counts as a different base. */
    static String fileDigest(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static CredentialRetriever dockerConfig(ImageReference ref, OciSettings settings) {
        CredentialRetrieverFactory creds = CredentialRetrieverFactory.forImage(ref, event -> {});
        return settings.dockerConfig() != null ? creds.dockerConfig(settings.dockerConfig()) : creds.dockerConfig();
    }

    /** {@code Jib.from(...)} for a registry reference or a {@code tar:} path. */
    static JibContainerBuilder from(String baseImage, OciSettings settings) {
        if (baseImage.startsWith(TAR_PREFIX)) {
            Path tar = Path.of(baseImage.substring(TAR_PREFIX.length()));
            if (!Files.isRegularFile(tar)) {
                throw new InvalidRequestException("base image tar " + tar + " does not exist; build one with "
                        + "scripts/build_base_image.sh --to tar:" + tar + " or use a registry reference");
            }
            return Jib.from(TarImage.at(tar));
        }
        return Jib.from(registryImage(baseImage, settings, "base image"));
    }

    static Containerizer containerizer(RegistryImage target, OciSettings settings, boolean insecure) {
        JibProxy.apply(System.getenv());
        Containerizer c = Containerizer.to(target)
                .setToolName("agentkernel")
                .setAllowInsecureRegistries(insecure);
        if (settings.cacheDir() != null) {
            c.setBaseImageLayersCache(settings.cacheDir().resolve("base"))
                    .setApplicationLayersCache(settings.cacheDir().resolve("app"));
        }
        return c;
    }
}
