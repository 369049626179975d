package dev.agentkernel.spawn;

import dev.agentkernel.Agent;
import dev.agentkernel.CreateTeamRequest;
import dev.agentkernel.Team;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A backend whose bookkeeping is an {@link AgentTable}: the teams and the queries are the table's answers, written
 * here once instead of in each backend (issue 16.3: the local and Kubernetes backends held the same delegations).
 * A subclass keeps how it starts, reaches and stops one agent.
 *
 * @param <E> the backend's running entry
 */
public abstract class TabledBackend<E extends AgentTable.Entry> implements Backend {
    /** This backend's running and stopped agents, teams and nonces. */
    protected final AgentTable<E> table;

    /** @param table the backend's own table (one per backend: it owns the executor behind the async API) */
    protected TabledBackend(AgentTable<E> table) {
        this.table = table;
    }

    @Override
    public final CompletableFuture<Team> createTeam(CreateTeamRequest request) { return table.createTeam(request); }

    /** Kills the team's agents with this backend's {@link #kill}, then deletes the team. */
    @Override
    public final CompletableFuture<Void> deleteTeam(String teamId) { return table.deleteTeam(teamId, this::kill); }

    @Override
    public final List<Team> teams() { return table.teams(); }

    @Override
    public final List<Agent> agents() { return table.agents(); }

    @Override
    public final Optional<Agent> agent(String agentId) { return table.agent(agentId); }
}
