package dev.agentkernel;

import dev.agentkernel.spawn.Backend;
import dev.agentkernel.spawn.BackendContext;
import dev.agentkernel.spawn.BackendFactory;
import dev.agentkernel.spawn.local.LocalBackend;
import dev.agentkernel.spawn.local.LocalBackendSettings;

/** A ServiceLoader-registered backend for the SPI test: a local backend under another name. */
public final class RecordingBackendFactory implements BackendFactory {
    static volatile BackendContext lastContext;

    @Override
    public String name() { return "recording"; }

    @Override
    public Backend create(BackendContext context) {
        lastContext = context;
        LocalBackend inner = new LocalBackend(new LocalBackendSettings(context.stateDir(), context.hostEnv(),
                context.spawnTimeout(), null, null), context.plugins(), context.nonces(), null);
        return new Backend() {
            @Override public String name() { return "recording"; }
            @Override public dev.agentkernel.spawn.AgentEndpoint endpoint(String id) { return inner.endpoint(id); }
            @Override public java.util.concurrent.CompletableFuture<java.util.List<AgentStatus>> status() { return inner.status(); }
            @Override public java.util.concurrent.CompletableFuture<Void> cleanup() { return inner.cleanup(); }
            @Override public void close() { inner.close(); }
            @Override public java.util.concurrent.CompletableFuture<SpawnResult> spawn(SpawnRequest r) { return inner.spawn(r); }
            @Override public java.util.concurrent.CompletableFuture<Void> kill(String id) { return inner.kill(id); }
            @Override public java.util.concurrent.CompletableFuture<Team> createTeam(CreateTeamRequest r) { return inner.createTeam(r); }
            @Override public java.util.concurrent.CompletableFuture<Void> deleteTeam(String id) { return inner.deleteTeam(id); }
            @Override public java.util.List<Agent> agents() { return inner.agents(); }
            @Override public java.util.Optional<Agent> agent(String id) { return inner.agent(id); }
            @Override public java.util.List<Team> teams() { return inner.teams(); }
        };
    }
}
