package dev.agentkernel;

import dev.agentkernel.spawn.local.AgentRecord;
import dev.agentkernel.spawn.local.LocalStateDir;
import dev.agentkernel.spawn.local.ProcessTreeKill;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The local agents recorded in a state directory by any kernel, live or gone: what {@code agentkernel status} lists
 * and {@code agentkernel cleanup} stops and removes (issue 16.3: the CLI reads this, not the local backend's
 * internals). No secrets: a record holds ids, pids and the port, never the nonce.
 */
public final class LocalAgents {

    /**
     * One recorded agent and what is true of it now. {@code stale}: not detached, not marked stopped, and the kernel
     * that started it is gone, so nobody holds its nonce any more.
     */
    public record Recorded(String id, String name, String teamId, String agentType, AgentState state, long pid, int port,
                           boolean processAlive, long ownerPid, boolean ownerAlive, boolean detached, boolean stale,
                           String created, Path dir) {}

    private final LocalStateDir dir;

    private LocalAgents(Path stateDir) { this.dir = new LocalStateDir(stateDir); }

    /** The agents recorded under {@code stateDir} (its {@code agents/} directory). */
    public static LocalAgents in(Path stateDir) { return new LocalAgents(stateDir); }

    public Path path() { return dir.path(); }

    /** Every recorded agent, oldest first; unreadable records are skipped. */
    public List<Recorded> list() { return dir.list().stream().map(LocalAgents::of).toList(); }

    /**
     * Stops every stale agent (TERM, then KILL after {@code grace}; its secret file deleted, its record marked
     * STOPPED; its directory and history stay). Returns them as they were before.
     */
    public List<Recorded> reapStale(Duration grace) { return dir.reap(grace).stream().map(LocalAgents::of).toList(); }

    /**
     * Deletes the directories of stopped agents whose runner is gone (their history too), and those of warm-pool
     * standbys whose kernel is gone; returns how many.
     */
    public int prune() { return dir.prune() + dir.removeOrphanStandbys(); }

    /**
     * Stops every recorded agent's runner (detached ones and those of running kernels too) and deletes every agent
     * directory, telling {@code removed} about each as it goes (as it was before). A runner that survives TERM and
     * KILL stops the removal with an {@link IllegalStateException} naming its pid.
     */
    public List<Recorded> removeAll(Duration grace, Consumer<Recorded> removed) {
        List<LocalStateDir.Entry> entries = dir.list();
        List<ProcessHandle> runners = new ArrayList<>();
        for (LocalStateDir.Entry e : entries) e.record().runner().ifPresent(runners::add);
        if (!runners.isEmpty()) ProcessTreeKill.terminate(runners, grace);
        List<Recorded> out = new ArrayList<>();
        for (LocalStateDir.Entry e : entries) {
            Recorded r = of(e);
            Optional<ProcessHandle> left = e.record().runner();
            if (left.isPresent()) {
                throw new IllegalStateException("runner pid " + r.pid() + " of " + r.id() + " (" + r.name() + ")"
                        + " survived TERM and KILL; stop it by hand (kill -9 " + r.pid() + ") and run cleanup again");
            }
            deleteTree(e.dir());
            out.add(r);
            removed.accept(r);
        }
        return out;
    }

    private static Recorded of(LocalStateDir.Entry e) {
        AgentRecord r = e.record();
        return new Recorded(r.id(), r.name(), r.teamId(), r.agentType(), r.state(), r.pid(), r.port(), e.processAlive(),
                r.ownerPid(), e.ownerAlive(), r.detached(), e.stale(), r.created(), e.dir());
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + root + ": " + e.getMessage()
                    + "; check its permissions and remove it by hand", e);
        }
    }
}
