package dev.agentkernel.spawn.local;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.agentkernel.Agent;
import dev.agentkernel.AgentState;

import java.time.Instant;
import java.util.Map;

/**
 * The kernel's record of one local agent, {@code agent.json} in its directory. Holds no secret.
 * The start instants of the runner and the owner kernel guard against pid reuse when a later
 * process (the CLI) decides whether they still run.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AgentRecord(
        @JsonProperty("id") String id,
        @JsonProperty("name") String name,
        @JsonProperty("team_id") String teamId,
        @JsonProperty("agent_type") String agentType,
        @JsonProperty("metadata") Map<String, String> metadata,
        @JsonProperty("image_id") String imageId,
        @JsonProperty("state") AgentState state,
        @JsonProperty("pid") long pid,
        @JsonProperty("pid_started_at") Long pidStartedAt,
        @JsonProperty("port") int port,
        @JsonProperty("owner_pid") long ownerPid,
        @JsonProperty("owner_started_at") Long ownerStartedAt,
        @JsonProperty("detached") boolean detached,
        @JsonProperty("created") String created) {

    public AgentRecord {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        teamId = teamId == null ? "" : teamId;
    }

    static AgentRecord of(Agent agent, ProcessHandle process, int port) {
        ProcessHandle owner = ProcessHandle.current();
        return new AgentRecord(agent.id(), agent.name(), agent.teamId(), agent.agentType(), agent.metadata(),
                agent.imageId(), agent.state(), process.pid(), startMillis(process), port, owner.pid(),
                startMillis(owner), agent.detached(), agent.createdAt().toString());
    }

    /** The record before the runner starts: no process yet, so nothing for a reader to signal. */
    static AgentRecord starting(Agent agent, int port) {
        ProcessHandle owner = ProcessHandle.current();
        return new AgentRecord(agent.id(), agent.name(), agent.teamId(), agent.agentType(), agent.metadata(),
                agent.imageId(), agent.state(), 0, null, port, owner.pid(), startMillis(owner), agent.detached(),
                agent.createdAt().toString());
    }

    public AgentRecord withState(AgentState newState) {
        return new AgentRecord(id, name, teamId, agentType, metadata, imageId, newState, pid, pidStartedAt, port,
                ownerPid, ownerStartedAt, detached, created);
    }

    public Agent toAgent() {
        return new Agent(id, name, teamId, agentType, state, metadata, imageId,
                created == null ? null : Instant.parse(created), detached);
    }

    static Long startMillis(ProcessHandle p) {
        return p.info().startInstant().map(Instant::toEpochMilli).orElse(null);
    }

    /** The runner's handle if the recorded pid still runs and is the same process (not a reused pid). */
    public java.util.Optional<ProcessHandle> runner() {
        return sameProcess(pid, pidStartedAt);
    }

    /** The owner kernel's handle, if it still runs. */
    public java.util.Optional<ProcessHandle> owner() {
        return sameProcess(ownerPid, ownerStartedAt);
    }

    static java.util.Optional<ProcessHandle> sameProcess(long pid, Long startedAt) {
        if (pid <= 0) return java.util.Optional.empty();
        return ProcessHandle.of(pid).filter(ProcessTreeKill::running).filter(h -> {
            Long actual = startMillis(h);
            // Start times are reported with tick resolution; allow a second of slack.
            return startedAt == null || actual == null || Math.abs(actual - startedAt) < 1000;
        });
    }
}
