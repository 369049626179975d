package dev.agentkernel.team;

import dev.agentkernel.CreateTeamRequest;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.Team;
import dev.agentkernel.TeamCapacityException;
import dev.agentkernel.TeamNotFoundException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Teams and what their agents hold. Every check-and-reserve happens under one lock, so concurrent
 * spawns into one team can never over-commit it. The empty team id means "no team": unlimited.
 */
public final class TeamRegistry {

    private static final java.util.regex.Pattern TEAM_ID = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private final Map<String, TeamState> teams = new LinkedHashMap<>();

    private static final class TeamState {
        final String id;
        final long milliCpu;
        final Long memoryBytes;
        final Map<String, Resources> holders = new LinkedHashMap<>();

        TeamState(String id, long milliCpu, Long memoryBytes) {
            this.id = id;
            this.milliCpu = milliCpu;
            this.memoryBytes = memoryBytes;
        }

        Resources inUse() {
            Resources sum = Resources.ZERO;
            for (Resources r : holders.values()) sum = sum.plus(r);
            return sum;
        }

        Team snapshot() {
            Resources used = inUse();
            return new Team(id, milliCpu / 1000.0, memoryBytes, used.cpu(), used.memoryBytes(), List.copyOf(holders.keySet()));
        }

        String capacity() {
            return new Resources(milliCpu, memoryBytes == null ? 0 : memoryBytes).describe();
        }
    }

    /** Parses and records a team. cpu is required; memory is optional (no memory limit without it). */
    public synchronized Team create(String teamId, Map<String, Object> resources) {
        if (teamId == null || !TEAM_ID.matcher(teamId).matches()) {
            throw new InvalidRequestException("team id '" + teamId + "' is invalid: use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (teams.containsKey(teamId)) {
            throw new InvalidRequestException("team '" + teamId + "' already exists; delete it first (spawner().deleteTeam(\"" + teamId + "\")) or pick another id");
        }
        Resources.checkKeys(resources, "CreateTeamRequest.resources");
        Object cpu = resources.get("cpu");
        if (cpu == null) {
            throw new InvalidRequestException("CreateTeamRequest.resources needs 'cpu' (e.g. Map.of(\"cpu\", 4) or \"500m\")");
        }
        long milliCpu = Resources.parseMilliCpu(cpu, "CreateTeamRequest.resources.cpu");
        Object memory = resources.get("memory");
        Long memoryBytes = memory == null ? null : Resources.parseMemoryBytes(memory, "CreateTeamRequest.resources.memory");
        TeamState state = new TeamState(teamId, milliCpu, memoryBytes);
        teams.put(teamId, state);
        return state.snapshot();
    }

    /** Reserves {@code request} for {@code agentId} in the team, or throws without reserving anything. */
    public synchronized void reserve(String teamId, String agentId, Resources request) {
        if (teamId == null || teamId.isEmpty()) return;
        TeamState team = require(teamId);
        Resources used = team.inUse();
        boolean cpuFits = used.milliCpu() + request.milliCpu() <= team.milliCpu;
        boolean memFits = team.memoryBytes == null || used.memoryBytes() + request.memoryBytes() <= team.memoryBytes;
        if (!cpuFits || !memFits) {
            throw new TeamCapacityException("team '" + teamId + "' is full: capacity " + team.capacity()
                    + ", in use " + used.describe() + " by " + team.holders.size() + " agent(s), requested "
                    + request.describe() + "; kill an agent of the team, ask for less, or create a bigger team");
        }
        team.holders.put(agentId, request);
    }

    /** Gives back what {@code agentId} held; a no-op when it held nothing (idempotent). */
    public synchronized void release(String teamId, String agentId) {
        if (teamId == null || teamId.isEmpty()) return;
        TeamState team = teams.get(teamId);
        if (team != null) team.holders.remove(agentId);
    }

    public synchronized Team get(String teamId) {
        return require(teamId).snapshot();
    }

    public synchronized Optional<Team> find(String teamId) {
        TeamState t = teams.get(teamId);
        return t == null ? Optional.empty() : Optional.of(t.snapshot());
    }

    public synchronized void remove(String teamId) {
        require(teamId);
        teams.remove(teamId);
    }

    public synchronized List<Team> list() {
        List<Team> out = new ArrayList<>();
        for (TeamState t : teams.values()) out.add(t.snapshot());
        return out;
    }

    private TeamState require(String teamId) {
        TeamState team = teams.get(teamId);
        if (team == null) {
            throw new TeamNotFoundException("no team '" + teamId + "'; known teams: "
                    + (teams.isEmpty() ? "(none)" : String.join(", ", teams.keySet()))
                    + ". Create it first with spawner().createTeam(new CreateTeamRequest(\"" + teamId + "\", Map.of(\"cpu\", 4)))");
        }
        return team;
    }

    /** {@code createTeam} for every backend: refuses a null request, then reserves the capacity. */
    public Team create(CreateTeamRequest request) {
        if (request == null) throw new InvalidRequestException("CreateTeamRequest is null");
        return create(request.teamId(), request.resources());
    }

    /**
     * {@code deleteTeam} for every backend: kills the team's agents that {@code tracked} still knows (waiting
     * for all of them; one failing kill does not keep the others alive), then removes the team. Not
     * synchronized: each kill releases its capacity through this registry.
     */
    public void delete(String teamId, Predicate<String> tracked, Function<String, CompletableFuture<Void>> kill) {
        Team team = get(teamId);
        CompletableFuture<?>[] kills = team.agentIds().stream().filter(tracked)
                .map(id -> kill.apply(id).exceptionally(e -> null))
                .toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(kills).join();
        remove(teamId);
    }
}
