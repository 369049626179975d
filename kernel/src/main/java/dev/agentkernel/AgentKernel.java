package dev.agentkernel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The entry point: wires a spawner (the backend), an agent client, a blob store and packaging.
 * The API after construction is the same for every backend.
 *
 * <p>SKELETON — public surface fixed (see shared/api.md); bodies are filled in by the kernel work.
 */
public final class AgentKernel implements AutoCloseable {

    /** Local backend with the given plugins and default settings. */
    public static AgentKernel local(AgentTypePlugin... plugins) {
        return builder().backend("local").plugins(plugins).build();
    }

    /** Reads the seed's YAML config (backend, namespace, base_image, kubeconfig, registry_url, debug, ...). */
    public static AgentKernel fromConfig(String path, AgentTypePlugin... plugins) {
        return fromConfig(Path.of(path), plugins);
    }

    public static AgentKernel fromConfig(Path path, AgentTypePlugin... plugins) {
        return builder().config(path).plugins(plugins).build();
    }

    public static Builder builder() { return new Builder(); }

    public Spawner spawner() { throw new UnsupportedOperationException("TODO"); }

    public AgentClient agentClient() { throw new UnsupportedOperationException("TODO"); }

    public BlobStore blobStore() { throw new UnsupportedOperationException("TODO"); }

    public Packaging packaging() { throw new UnsupportedOperationException("TODO"); }

    /** Status of every agent this kernel knows, with liveness checked now. */
    public CompletableFuture<List<AgentStatus>> status() { throw new UnsupportedOperationException("TODO"); }

    /** Kills every agent this kernel started (detached agents excepted). */
    public CompletableFuture<Void> cleanup() { throw new UnsupportedOperationException("TODO"); }

    /** The backend's name: local, sandbox, kubernetes. */
    public String backend() { throw new UnsupportedOperationException("TODO"); }

    /** Where this kernel keeps agent workspaces, records and blobs. */
    public Path stateDir() { throw new UnsupportedOperationException("TODO"); }

    /** Convenience: {@code agentClient().ask(...)}. */
    public String ask(String agentId, String nonce, String message) {
        return agentClient().ask(agentId, nonce, message);
    }

    /** Same as {@code cleanup().join()}, and releases the kernel's threads and connections. */
    @Override
    public void close() { throw new UnsupportedOperationException("TODO"); }

    public static final class Builder {
        private String backend;
        private final List<AgentTypePlugin> plugins = new ArrayList<>();
        private Path stateDir;
        private Path config;
        private Duration spawnTimeout = Duration.ofSeconds(30);
        private Map<String, String> hostEnv;

        public Builder backend(String backend) { this.backend = backend; return this; }
        public Builder plugin(AgentTypePlugin plugin) { this.plugins.add(plugin); return this; }
        public Builder plugins(AgentTypePlugin... plugins) { this.plugins.addAll(List.of(plugins)); return this; }
        /** Default {@code $AGENTKERNEL_HOME} or {@code ~/.agentkernel}. */
        public Builder stateDir(Path stateDir) { this.stateDir = stateDir; return this; }
        /** A YAML config file (see {@link #fromConfig(Path, AgentTypePlugin...)}). */
        public Builder config(Path config) { this.config = config; return this; }
        /** How long spawn waits for {@code /health}; default 30 s. */
        public Builder spawnTimeout(Duration spawnTimeout) { this.spawnTimeout = spawnTimeout; return this; }
        /** The environment forwarded to agents (LLM_API_KEY, OPENAI_API_KEY, OPENCLAW_RUNNER_BIN); default System.getenv(). */
        public Builder hostEnv(Map<String, String> hostEnv) { this.hostEnv = new LinkedHashMap<>(hostEnv); return this; }

        public AgentKernel build() { throw new UnsupportedOperationException("TODO"); }
    }
}
