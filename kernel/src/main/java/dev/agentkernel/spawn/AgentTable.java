package dev.agentkernel.spawn;

import dev.agentkernel.Agent;
import dev.agentkernel.AgentKernelException;
import dev.agentkernel.AgentNotFoundException;
import dev.agentkernel.AgentState;
import dev.agentkernel.CreateTeamRequest;
import dev.agentkernel.Team;
import dev.agentkernel.team.TeamRegistry;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The bookkeeping every backend shares (issue 16.3): which agents run and which this kernel stopped, their teams,
 * their nonces in the vault, the kill skeleton, {@code cleanup}, the queries and the executor behind the async
 * API. A backend keeps only how it starts, reaches and stops one agent ({@code E}, its running entry).
 */
public final class AgentTable<E extends AgentTable.Entry> {

    /** A running agent as a backend holds it. The record is replaced, never mutated. */
    public abstract static class Entry {
        private volatile Agent agent;

        protected Entry(Agent agent) { this.agent = agent; }

        public final Agent agent() { return agent; }

        public final String id() { return agent.id(); }

        /** RUNNING becomes FAILED (its process or pod is gone); true if this call changed it, so a caller acts once. */
        public final synchronized boolean failIfRunning() {
            if (agent.state() != AgentState.RUNNING) return false;
            agent = agent.withState(AgentState.FAILED);
            return true;
        }
    }

    private final NonceVault vault;
    private final Function<String, String> afterKilled;
    private final TeamRegistry teams = new TeamRegistry();
    private final Map<String, E> running = new ConcurrentHashMap<>();
    private final Map<String, Agent> stopped = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    /** @param afterKilled extra words for "was killed" errors given the agent id (e.g. where its history stays), or "" */
    public AgentTable(NonceVault vault, Function<String, String> afterKilled) {
        this.vault = vault;
        this.afterKilled = afterKilled;
    }

    public TeamRegistry teamRegistry() { return teams; }

    // ---------------------------------------------------------------- running and stopped

    /** Makes {@code entry} one of this kernel's running agents, reachable with {@code nonce}. */
    public void register(E entry, String nonce) {
        vault.put(entry.id(), nonce);
        running.put(entry.id(), entry);
    }

    /** The running entry, or null. */
    public E get(String agentId) { return agentId == null ? null : running.get(agentId); }

    /** The running entry, or the "killed / never known here" error. */
    public E require(String agentId) {
        E e = get(agentId);
        if (e == null) throw notFound(agentId);
        return e;
    }

    public boolean isRunning(String agentId) { return agentId != null && running.containsKey(agentId); }

    public boolean isEmpty() { return running.isEmpty(); }

    /** The running entries, oldest first. */
    public List<E> entries() {
        return running.values().stream().sorted(Comparator.comparing(e -> e.agent().createdAt())).toList();
    }

    /** Takes {@code entry} out of the running set if it is still there (false when someone else took it first). */
    public boolean remove(E entry) {
        if (!running.remove(entry.id(), entry)) return false;
        vault.remove(entry.id());
        return true;
    }

    /** An agent (re-)attached since it was stopped here is no longer stopped. */
    public void forgetStopped(String agentId) { stopped.remove(agentId); }

    public java.util.Collection<Agent> stoppedAgents() { return stopped.values(); }

    /** Records {@code entry} as STOPPED and gives its team capacity back. */
    public void markStopped(E entry) {
        Agent agent = entry.agent().withState(AgentState.STOPPED);
        stopped.put(agent.id(), agent);
        teams.release(agent.teamId(), agent.id());
    }

    public AgentNotFoundException notFound(String agentId) {
        return AgentLookups.notFound(agentId, agentId == null ? null : stopped.get(agentId), agents(),
                afterKilled.apply(agentId));
    }

    // ---------------------------------------------------------------- kill, teams, cleanup

    /**
     * The kill skeleton: take the agent out (unknown: the not-found error), forget its nonce, {@code stop} it, and
     * whatever {@code stop} does, record it STOPPED and give its team capacity back.
     */
    public CompletableFuture<Void> kill(String agentId, Consumer<E> stop) {
        return async(() -> {
            E e = agentId == null ? null : running.remove(agentId);
            if (e == null) throw notFound(agentId);
            vault.remove(agentId);
            try {
                stop.accept(e);
            } finally {
                markStopped(e);
            }
            return null;
        });
    }

    /** Kills every non-detached agent with {@code kill}; one that fails does not stop the others. */
    public CompletableFuture<Void> cleanup(Function<String, CompletableFuture<Void>> kill) {
        List<CompletableFuture<Void>> kills = running.values().stream()
                .filter(e -> !e.agent().detached())
                .map(e -> kill.apply(e.id()).exceptionally(t -> null))
                .toList();
        return CompletableFuture.allOf(kills.toArray(CompletableFuture[]::new));
    }

    public CompletableFuture<Team> createTeam(CreateTeamRequest request) {
        return async(() -> teams.create(request));
    }

    public CompletableFuture<Void> deleteTeam(String teamId, Function<String, CompletableFuture<Void>> kill) {
        return async(() -> {
            teams.delete(teamId, running::containsKey, kill);
            return null;
        });
    }

    public List<Team> teams() { return teams.list(); }

    // ---------------------------------------------------------------- queries

    public List<Agent> agents() {
        return running.values().stream().map(Entry::agent).sorted(Comparator.comparing(Agent::createdAt)).toList();
    }

    public Optional<Agent> agent(String agentId) {
        E e = get(agentId);
        return e != null ? Optional.of(e.agent()) : Optional.ofNullable(agentId == null ? null : stopped.get(agentId));
    }

    // ---------------------------------------------------------------- async

    /** Runs {@code work} on the table's virtual threads; after {@link #shutdown(java.time.Duration)}, a future failed with "closed". */
    public <T> CompletableFuture<T> async(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new AgentKernelException("this kernel is closed; build a new AgentKernel"));
        }
    }

    /** Refuses new work; with a positive {@code wait}, waits that long for the work in flight. */
    public void shutdown(java.time.Duration wait) {
        executor.shutdown();
        if (wait.isZero() || wait.isNegative()) return;
        try {
            executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
