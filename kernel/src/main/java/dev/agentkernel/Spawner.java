package dev.agentkernel;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Starts and stops agents and manages teams. One implementation per backend; the API is the same for all. */
public interface Spawner {

    CompletableFuture<SpawnResult> spawn(SpawnRequest request);

    /** Stops the agent and frees its team capacity. Unknown id: {@link AgentNotFoundException}. */
    CompletableFuture<Void> kill(String agentId);

    CompletableFuture<Team> createTeam(CreateTeamRequest request);

    /** Kills the team's agents, then removes the team. */
    CompletableFuture<Void> deleteTeam(String teamId);

    /** The agents this spawner started and has not killed. No nonces. */
    List<Agent> agents();

    Optional<Agent> agent(String agentId);

    List<Team> teams();
}
