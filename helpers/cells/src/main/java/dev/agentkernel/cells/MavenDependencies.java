package dev.agentkernel.cells;

import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code %maven group:artifact:version}: the artifact and its runtime dependencies, resolved with Maven Resolver
 * (the library Maven itself uses) from Maven Central into a local repository. The local repository is
 * {@code $AGENTKERNEL_MAVEN_REPO} (or system property {@code agentkernel.maven.repo}), else Maven's own {@code ~/.m2/repository}, so jars Maven already has are not
 * fetched again. Settings files (mirrors, proxies) are not read.
 */
final class MavenDependencies {
    static final String CENTRAL = "https://repo.maven.apache.org/maven2/";
    private final Path localRepository;
    private final List<RemoteRepository> remotes;
    private RepositorySystem system; // created on first use: it costs ~100 ms that most sessions never need

    MavenDependencies(Map<String, String> env) {
        String explicit = env.getOrDefault("AGENTKERNEL_MAVEN_REPO", System.getProperty("agentkernel.maven.repo"));
        this.localRepository = explicit != null && !explicit.isBlank() ? Path.of(explicit)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
        this.remotes = List.of(new RemoteRepository.Builder("central", "default", CENTRAL).build());
    }

    /** The jars of {@code coordinates} ({@code g:a:v} or {@code g:a:ext:classifier:v}) and their runtime dependencies. */
    synchronized List<Path> resolve(String coordinates) throws CellError {
        Artifact artifact;
        try {
            artifact = new DefaultArtifact(coordinates);
        } catch (IllegalArgumentException e) {
            throw CellError.of("MagicError", "%maven " + coordinates + ": not Maven coordinates; write "
                    + "group:artifact:version, e.g. %maven org.apache.commons:commons-lang3:3.17.0");
        }
        if (system == null) system = new RepositorySystemSupplier().get();
        try (RepositorySystemSession.CloseableSession session = new SessionBuilderSupplier(system).get()
                .withLocalRepositoryBaseDirectories(localRepository)
                .setSystemProperties(System.getProperties())
                .build()) {
            CollectRequest collect = new CollectRequest(new Dependency(artifact, JavaScopes.RUNTIME), remotes);
            DependencyRequest request = new DependencyRequest(collect, DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
            List<Path> jars = new ArrayList<>();
            for (ArtifactResult result : system.resolveDependencies(session, request).getArtifactResults()) {
                if (result.getArtifact() != null && result.getArtifact().getPath() != null) {
                    jars.add(result.getArtifact().getPath());
                }
            }
            return jars;
        } catch (DependencyResolutionException e) {
            throw CellError.of("MagicError", "%maven " + coordinates + " could not be resolved from " + CENTRAL
                    + " (local repository " + localRepository + "): " + rootMessage(e)
                    + ". Check the coordinates and the network, or add a downloaded jar with %jars PATH.");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }
}
