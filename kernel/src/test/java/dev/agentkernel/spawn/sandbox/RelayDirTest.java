package dev.agentkernel.spawn.sandbox;

import dev.agentkernel.AgentKernelException;
import dev.agentkernel.protocol.relay.RelaySockets;
import dev.agentkernel.spawn.local.AgentDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The relay directory on the host: where it is, its mode, and the short link for deep state dirs (real files and sockets). */
class RelayDirTest {

    /** Under /tmp, not JUnit's @TempDir (which follows java.io.tmpdir): the short case must really be short. */
    Path root;
    /** java.io.tmpdir for the test, so the short links never touch the real {@code <tmp>/agentkernel-<uid>}. */
    Path tmpdir;
    String savedTmpdir;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createTempDirectory(Path.of("/tmp"), "akr");
        tmpdir = Files.createTempDirectory(Path.of("/tmp"), "akt");
        savedTmpdir = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", tmpdir.toString());
    }

    @AfterEach
    void tearDown() throws IOException {
        System.setProperty("java.io.tmpdir", savedTmpdir);
        deleteTree(root);
        deleteTree(tmpdir);
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        // A test may leave a directory without permissions; root ignores them, but a normal user does not.
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
            }
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** {@code <stateDir>/agents/<uuid>}, created as the local backend does. */
    static AgentDir agentDir(Path stateDir) throws IOException {
        Path dir = Files.createDirectories(stateDir.resolve("agents").resolve(UUID.randomUUID().toString()));
        Files.createDirectories(dir.resolve(AgentDir.WORKSPACE));
        return new AgentDir(dir);
    }

    static String uid() throws IOException {
        return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }

    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    static int bytes(Path p) { return p.toString().getBytes(StandardCharsets.UTF_8).length; }

    /** A state dir whose relay sockets would not fit in a socket address. */
    Path deepStateDir() throws IOException {
        Path deep = Files.createDirectories(root.resolve("d".repeat(40)).resolve("e".repeat(40)).resolve("state"));
        assertTrue(bytes(deep.resolve("relay").resolve(UUID.randomUUID().toString()).resolve(RelaySockets.EGRESS)) > RelaySockets.MAX_PATH_BYTES);
        return deep;
    }

    @Test
    void aShortStateDirIsUsedDirectly() throws IOException {
        Path stateDir = Files.createDirectories(root.resolve("state"));
        AgentDir agent = agentDir(stateDir);
        String id = agent.path().getFileName().toString();
        RelayDir relay = RelayDir.of(agent);
        assertEquals(stateDir.resolve("relay").resolve(id), relay.dir());
        assertEquals(relay.dir(), relay.access(), "no link needed");
        assertTrue(RelayDir.fits(relay.dir()));
        assertEquals(relay.dir().resolve(RelaySockets.EGRESS), relay.socket(RelaySockets.EGRESS));
        assertFalse(relay.dir().startsWith(agent.path()), "not inside the agent's own directory, which the agent may rewrite");
        // The same directory whether the agent dir is given relative or with "..".
        assertEquals(relay, RelayDir.of(new AgentDir(agent.path().resolve("workspace").resolve(".."))));

        assertFalse(Files.exists(relay.dir()), "of() only computes the paths");
        assertSame(relay, relay.create());
        assertTrue(Files.isDirectory(relay.dir(), LinkOption.NOFOLLOW_LINKS));
        assertEquals("rwx------", mode(relay.dir()));
        assertEquals("rwx------", mode(relay.dir().getParent()), "the relay root too");
        assertEquals(stateDir.resolve("relay"), relay.dir().getParent());
        assertFalse(Files.exists(tmpdir.resolve("agentkernel-" + uid())), "no short link root for a short state dir");

        relay.create(); // again: an existing directory is fine (a kernel that attaches)
        relay.delete();
        assertFalse(Files.exists(relay.dir(), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isDirectory(stateDir.resolve("relay")), "other agents' relay dirs live next to it");
        relay.delete(); // idempotent
    }

    @Test
    void fitsIsTheSocketPathLimit() {
        String base = "/" + "x".repeat(200);
        assertTrue(RelayDir.fits(Path.of("/tmp/s")));
        assertFalse(RelayDir.fits(Path.of(base)));
        // The longest name is egress.sock (11 bytes) plus the separator.
        int longest = RelaySockets.EGRESS.length() + 1;
        assertTrue(RelayDir.fits(Path.of("/" + "y".repeat(RelaySockets.MAX_PATH_BYTES - longest - 1))));
        assertFalse(RelayDir.fits(Path.of("/" + "y".repeat(RelaySockets.MAX_PATH_BYTES - longest))));
    }

    @Test
    void aDeepStateDirIsReachedThroughAPrivateShortLinkWhereSocketsWork() throws Exception {
        Path stateDir = deepStateDir();
        AgentDir agent = agentDir(stateDir);
        String id = agent.path().getFileName().toString();
        RelayDir relay = RelayDir.of(agent);
        Path linkRoot = tmpdir.resolve("agentkernel-" + uid());
        assertEquals(stateDir.resolve("relay").resolve(id), relay.dir());
        assertEquals(linkRoot.resolve(id), relay.access());
        assertFalse(RelayDir.fits(relay.dir()));
        Path socket = relay.socket(RelaySockets.EGRESS);
        assertEquals(relay.access().resolve(RelaySockets.EGRESS), socket);
        assertTrue(bytes(socket) <= RelaySockets.MAX_PATH_BYTES, socket.toString());

        relay.create();
        assertEquals("rwx------", mode(relay.dir()));
        assertEquals("rwx------", mode(relay.dir().getParent()));
        assertTrue(Files.isDirectory(linkRoot, LinkOption.NOFOLLOW_LINKS));
        assertEquals("rwx------", mode(linkRoot));
        assertTrue(Files.isSymbolicLink(relay.access()));
        assertEquals(relay.dir(), Files.readSymbolicLink(relay.access()));

        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            assertTrue(Files.exists(relay.dir().resolve(RelaySockets.EGRESS), LinkOption.NOFOLLOW_LINKS),
                    "the socket file is in the real relay directory");
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                 SocketChannel accepted = server.accept()) {
                client.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer in = ByteBuffer.allocate(4);
                while (in.hasRemaining() && accepted.read(in) >= 0) { }
                assertEquals("ping", new String(in.array(), StandardCharsets.US_ASCII));
            }
        }

        // create() again, as on attach: the link is replaced, not an error.
        relay.create();
        assertEquals(relay.dir(), Files.readSymbolicLink(relay.access()));

        relay.delete();
        assertFalse(Files.exists(relay.access(), LinkOption.NOFOLLOW_LINKS), "the link is gone");
        assertFalse(Files.exists(relay.dir(), LinkOption.NOFOLLOW_LINKS), "the directory and its socket are gone");
        assertTrue(Files.isDirectory(linkRoot), "the shared link root stays for other agents");
    }

    @Test
    void deleteNeverFollowsAReplacedDirectory() throws Exception {
        Path stateDir = Files.createDirectories(root.resolve("state"));
        AgentDir agent = agentDir(stateDir);
        RelayDir relay = RelayDir.of(agent).create();
        Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
        Path precious = Files.writeString(elsewhere.resolve("keep.txt"), "keep");
        Files.delete(relay.dir());
        Files.createSymbolicLink(relay.dir(), elsewhere);
        relay.delete();
        assertEquals("keep", Files.readString(precious), "nothing behind a link is deleted");
    }

    @Test
    void aShortLinkRootThatIsNotPrivateIsRefusedWithTheFix() throws Exception {
        Path stateDir = deepStateDir();
        Path linkRoot = tmpdir.resolve("agentkernel-" + uid());
        Files.createDirectory(linkRoot);
        Files.setPosixFilePermissions(linkRoot, PosixFilePermissions.fromString("rwxrwxrwx"));
        RelayDir relay = RelayDir.of(agentDir(stateDir));
        assertEquals(linkRoot, relay.access().getParent());
        AgentKernelException e = assertThrows(AgentKernelException.class, relay::create);
        assertTrue(e.getMessage().contains(linkRoot.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("0700"), e.getMessage());
        assertTrue(e.getMessage().contains("remove it") && e.getMessage().contains("shorter state dir"), "names the fix: " + e.getMessage());
        assertFalse(Files.exists(relay.access(), LinkOption.NOFOLLOW_LINKS), "no link in a directory others can write");
        assertEquals("rwxrwxrwx", mode(linkRoot), "left as it was");
    }

    @Test
    void aShortLinkRootThatIsALinkIsRefused() throws Exception {
        Path stateDir = deepStateDir();
        Path target = Files.createDirectory(tmpdir.resolve("somebody-elses"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path linkRoot = Files.createSymbolicLink(tmpdir.resolve("agentkernel-" + uid()), target);
        RelayDir relay = RelayDir.of(agentDir(stateDir));
        AgentKernelException e = assertThrows(AgentKernelException.class, relay::create);
        assertTrue(e.getMessage().contains(linkRoot.toString()), e.getMessage());
        try (Stream<Path> inside = Files.list(target)) {
            assertEquals(0, inside.count(), "nothing created behind the link");
        }
    }
}
