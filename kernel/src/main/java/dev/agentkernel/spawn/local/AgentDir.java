package dev.agentkernel.spawn.local;

import dev.agentkernel.AgentKernelException;
import dev.agentkernel.protocol.Protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One agent's directory, laid out as docs/architecture.md says: {@code config.json} (0600, the only
 * file with the nonce and API key), {@code agent.json}, {@code runner.out}, {@code runner.err},
 * {@code history.jsonl} (written by the runner) and {@code workspace/}; in the sandbox backend with a workspace quota
 * also {@code workspace.img}, the file system mounted on {@code workspace/} while the agent runs.
 */
public final class AgentDir {
    public static final String CONFIG = "config.json";
    public static final String RECORD = "agent.json";
    public static final String OUT = "runner.out";
    public static final String ERR = "runner.err";
    public static final String WORKSPACE = "workspace";
    /** The workspace quota's ext4 image (sandbox backend, root kernel): the workspace's files while it is not mounted. */
    public static final String WORKSPACE_IMAGE = "workspace.img";

    static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> SECRET_MODE = PosixFilePermissions.fromString("rw-------");

    private final Path dir;

    public AgentDir(Path dir) { this.dir = dir; }

    /** Creates {@code agentsDir/<id>/} with mode 0700 (and the agents dir if missing). */
    static AgentDir create(Path agentsDir, String id) {
        try {
            createPrivateDirs(agentsDir);
            Path dir = agentsDir.resolve(id);
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
            Files.setPosixFilePermissions(dir, DIR_MODE);
            Files.createDirectory(dir.resolve(WORKSPACE));
            return new AgentDir(dir);
        } catch (IOException e) {
            throw new AgentKernelException("cannot create the agent directory under " + agentsDir + ": " + e.getMessage()
                    + "; check that the state dir is writable (set AGENTKERNEL_HOME or AgentKernel.builder().stateDir(...))", e);
        }
    }

    /** Creates missing directories with mode 0700, so the state dir is private from the start. */
    static void createPrivateDirs(Path path) throws IOException {
        Path abs = path.toAbsolutePath();
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = abs; p != null && !Files.exists(p); p = p.getParent()) missing.push(p);
        for (Path p : missing) {
            try {
                Files.createDirectory(p, PosixFilePermissions.asFileAttribute(DIR_MODE));
            } catch (FileAlreadyExistsException raced) {
                // Another spawn created it a moment ago.
            }
        }
    }

    public Path path() { return dir; }
    public Path configFile() { return dir.resolve(CONFIG); }
    public Path recordFile() { return dir.resolve(RECORD); }
    public Path outFile() { return dir.resolve(OUT); }
    public Path errFile() { return dir.resolve(ERR); }
    public Path workspace() { return dir.resolve(WORKSPACE); }
    public Path workspaceImage() { return dir.resolve(WORKSPACE_IMAGE); }
    public Path historyFile() { return dir.resolve(Protocol.HISTORY_FILE); }
    public Path busLogFile() { return dir.resolve(Protocol.AGENTBUS_FILE); }

    /**
     * Creates, empty and private (0600), the files the runner appends to: its history, and its AgentBus log
     * when it has one. Existing before the runner starts, they can be the only writable files of an otherwise
     * read-only agent directory in a sandbox.
     */
    void createRunnerLogs(boolean bus) {
        List<Path> files = bus ? List.of(historyFile(), busLogFile()) : List.of(historyFile());
        for (Path file : files) {
            try {
                Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(SECRET_MODE)).close();
            } catch (FileAlreadyExistsException kept) {
                // An image's or an earlier runner's: appended to as it is.
            } catch (IOException e) {
                throw new AgentKernelException("cannot create " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Writes the runner config. The file is created with mode 0600 in the same system call that
     * creates it, so the secrets in it are never readable by others, not even briefly.
     */
    void writeConfig(byte[] json) {
        writeSecret(configFile(), json);
    }

    /** A file of this directory holding a secret (the config, a standby's file), created 0600 as above. */
    void writeSecret(Path file, byte[] json) {
        try {
            FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(SECRET_MODE);
            try (OutputStream out = Channels.newOutputStream(Files.newByteChannel(file,
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING), mode))) {
                out.write(json);
            }
            Files.setPosixFilePermissions(file, SECRET_MODE);
        } catch (IOException e) {
            throw new AgentKernelException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Atomic replace, so a reader (the CLI) never sees half a record. The agent (sandboxed or not) can write
     * in this directory, so the temporary file is created new and never through a link it may have planted:
     * a link there would otherwise make the kernel overwrite whatever file it points to.
     */
    void writeRecord(AgentRecord record) {
        Path tmp = dir.resolve(RECORD + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            try (OutputStream out = Channels.newOutputStream(Files.newByteChannel(tmp, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS)))) {
                out.write(recordBytes(record));
            }
            Files.move(tmp, recordFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + recordFile(), e);
        }
    }

    /** {@code agent.json}'s content. */
    static byte[] recordBytes(AgentRecord record) throws IOException {
        return Protocol.json().writerWithDefaultPrettyPrinter().writeValueAsBytes(record);
    }

    public AgentRecord readRecord() throws IOException {
        return Protocol.json().readValue(recordFile().toFile(), AgentRecord.class);
    }

    /** The last {@code n} lines of runner.err (empty when there is none). */
    public List<String> stderrTail(int n) {
        try {
            if (!Files.isRegularFile(errFile())) return List.of();
            List<String> lines = Files.readAllLines(errFile(), StandardCharsets.UTF_8);
            return List.copyOf(lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return List.of("(cannot read " + errFile() + ": " + e.getMessage() + ")");
        }
    }

    /** Removes the nonce and API key once the agent is stopped; the rest (history) stays. */
    void deleteConfig() {
        try {
            Files.deleteIfExists(configFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + configFile(), e);
        }
    }

    /**
     * Deletes the whole directory (failed spawns leave nothing behind). A workspace quota still mounted on
     * {@code workspace/} is unmounted first: its mount point could not be removed, and the walk would empty the
     * image instead of the directory.
     */
    void delete() {
        if (WorkspaceMounts.isMountPoint(workspace())) WorkspaceMounts.unmount(workspace());
        deleteTree(dir);
    }

    /** Deletes {@code root} and everything below it, never following links out of it. */
    static void deleteTree(Path root) {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
