package dev.agentkernel.spawn.local;

import dev.agentkernel.AgentState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The agents recorded under a state dir by any kernel, past or present. Used by the CLI
 * ({@code bin/agentkernel status} calls {@link #list()}, {@code bin/agentkernel cleanup} calls
 * {@link #reap()}) to find and stop runners whose kernel died without cleaning up.
 */
public final class LocalStateDir {

    /**
     * Under the state dir, one directory per agent with an isolated network (sandbox backend): its relay
     * sockets. Nothing in it outlives the agent.
     */
    public static final String RELAY_DIR = "relay";

    private final Path stateDir;

    public LocalStateDir(Path stateDir) { this.stateDir = stateDir; }

    /** {@code $AGENTKERNEL_HOME}, else {@code ~/.agentkernel}. */
    public static Path defaultPath(Map<String, String> env) {
        String home = env.get("AGENTKERNEL_HOME");
        if (home != null && !home.isBlank()) return Path.of(home);
        return Path.of(System.getProperty("user.home"), ".agentkernel");
    }

    public Path path() { return stateDir; }

    /**
     * One recorded agent and what is true of it now. {@code stale}: it was not detached, is not marked
     * stopped, and the kernel that started it is gone — nobody holds its nonce any more.
     */
    public record Entry(AgentRecord record, Path dir, boolean processAlive, boolean ownerAlive) {
        public boolean stale() {
            return !record.detached() && record.state() != AgentState.STOPPED && !ownerAlive;
        }
    }

    /** Every {@code agents/*}{@code /agent.json}, oldest first. Unreadable records are skipped. */
    public List<Entry> list() {
        Path agents = stateDir.resolve("agents");
        if (!Files.isDirectory(agents)) return List.of();
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(agents)) {
            for (Path dir : dirs.sorted().toList()) {
                AgentDir agentDir = new AgentDir(dir);
                if (!Files.isRegularFile(agentDir.recordFile())) continue;
                try {
                    AgentRecord r = agentDir.readRecord();
                    out.add(new Entry(r, dir, r.runner().isPresent(), r.owner().isPresent()));
                } catch (IOException e) {
                    // A half-written or foreign file: not ours to judge.
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + agents, e);
        }
        out.sort(java.util.Comparator.comparing(e -> e.record().created() == null ? "" : e.record().created()));
        return out;
    }

    public List<Entry> stale() {
        return list().stream().filter(Entry::stale).toList();
    }

    /**
     * Stops every stale agent: kills its runner (TERM, then KILL after the grace), deletes its
     * {@code config.json} (the nonce) and marks its record STOPPED. The directory and history stay.
     * Returns the entries it reaped, as they were before.
     */
    public List<Entry> reap() {
        return reap(LocalBackendSettings.DEFAULT_KILL_GRACE);
    }

    public List<Entry> reap(Duration grace) {
        return stop(stale(), grace);
    }

    /**
     * Stops every recorded agent that is not already stopped, whoever owns it (detached agents and
     * agents of running kernels too): for {@code bin/agentkernel cleanup --all}. A kernel still
     * running will see its agents as FAILED. Returns the entries it stopped, as they were before.
     */
    public List<Entry> stopAll(Duration grace) {
        return stop(list().stream().filter(e -> e.record().state() != AgentState.STOPPED || e.processAlive()).toList(), grace);
    }

    private List<Entry> stop(List<Entry> stale, Duration grace) {
        List<ProcessHandle> runners = new ArrayList<>();
        for (Entry e : stale) {
            e.record().runner().ifPresent(runners::add);
            runners.addAll(ProcessTreeKill.workingIn(new AgentDir(e.dir()).workspace()));
        }
        if (!runners.isEmpty()) ProcessTreeKill.terminate(runners, grace);
        for (Entry e : stale) {
            AgentDir dir = new AgentDir(e.dir());
            // A sandboxed agent's workspace quota stays mounted when its kernel died: take it off with the agent.
            WorkspaceMounts.unmount(dir.workspace());
            dir.deleteConfig();
            dir.writeRecord(e.record().withState(AgentState.STOPPED));
            try {
                // The directory's name, not the record's id: a record can be rewritten by its (local) agent.
                AgentDir.deleteTree(stateDir.resolve(RELAY_DIR).resolve(e.dir().getFileName().toString()));
            } catch (RuntimeException ignored) {
                // Dead sockets hold no secret; the next cleanup tries again.
            }
        }
        return stale;
    }

    /**
     * Unmounts the workspace quotas (sandbox backend) of agents whose runner is gone and whose kernel is gone or stopped
     * them: a kernel killed by SIGKILL takes its sandboxes with it (--die-with-parent) but cannot unmount their
     * workspaces. Every backend on this state dir calls this when it starts, and {@code bin/agentkernel cleanup} reaps
     * the same way. A workspace whose runner still runs (a detached agent), or whose kernel is alive (it unmounts at
     * kill), or without a readable record (a spawn in progress) is left alone. Returns the workspaces unmounted.
     */
    public List<Path> releaseOrphanMounts() {
        String agents = WorkspaceMounts.canonical(stateDir.resolve("agents")) + "/";
        List<Path> released = new ArrayList<>();
        for (String m : WorkspaceMounts.mountPoints()) {
            if (!m.startsWith(agents) || !m.endsWith("/" + AgentDir.WORKSPACE)) continue;
            AgentDir dir = new AgentDir(Path.of(m).getParent());
            if (!dir.path().getParent().toString().equals(agents.substring(0, agents.length() - 1))) continue; // agents/<id>/workspace only
            AgentRecord r;
            try {
                r = dir.readRecord();
            } catch (IOException | RuntimeException e) {
                continue;
            }
            if (r.runner().isPresent()) continue;
            if (r.owner().isPresent() && r.state() != AgentState.STOPPED) continue;
            if (WorkspaceMounts.unmount(dir.workspace())) released.add(dir.workspace());
        }
        return released;
    }

    /**
     * Deletes the directories of standby runners (the warm pool's, {@code standby.json} and no agent record) whose
     * kernel is gone: its runners exited with it (they watch its pipe), but a kernel that died without closing
     * could not delete their directories. Every local backend calls this when it starts. Returns how many it removed.
     */
    public int removeOrphanStandbys() {
        Path agents = stateDir.resolve("agents");
        if (!Files.isDirectory(agents)) return 0;
        int removed = 0;
        try (Stream<Path> dirs = Files.list(agents)) {
            for (Path dir : dirs.toList()) {
                Path standby = dir.resolve(LocalBackend.STANDBY_FILE);
                if (!Files.isRegularFile(standby) || Files.exists(new AgentDir(dir).recordFile())) continue;
                com.fasterxml.jackson.databind.JsonNode n;
                try {
                    n = dev.agentkernel.protocol.Protocol.json().readTree(standby.toFile());
                } catch (IOException | RuntimeException e) {
                    continue; // being written, or not ours
                }
                long owner = n.path("owner_pid").asLong(0);
                Long started = n.hasNonNull("owner_start_millis") ? n.get("owner_start_millis").asLong() : null;
                if (owner <= 0 || AgentRecord.sameProcess(owner, started).isPresent()) continue;
                ProcessTreeKill.terminate(ProcessTreeKill.workingIn(new AgentDir(dir).workspace()), Duration.ofSeconds(1));
                new AgentDir(dir).delete();
                removed++;
            }
        } catch (IOException e) {
            return removed;
        }
        return removed;
    }

    /** Deletes the directories of stopped agents (their history too). Returns how many were removed. */
    public int prune() {
        int removed = 0;
        for (Entry e : list()) {
            if (e.record().state() == AgentState.STOPPED && !e.processAlive()) {
                new AgentDir(e.dir()).delete();
                removed++;
            }
        }
        return removed;
    }
}
