package dev.agentkernel.spawn.sandbox;

import dev.agentkernel.spawn.local.AgentDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The bubblewrap argument list: what is mounted where, which namespaces, and the runner command after "--". */
class BwrapCommandTest {

    @TempDir Path tmp;
    Path stateDir;
    AgentDir dir;
    Path jar;
    Path archive;
    static final Path BWRAP = Path.of("/usr/bin/bwrap");
    static final String JAVA = "/usr/lib/jvm/some-jdk/bin/java";

    @BeforeEach
    void layout() throws Exception {
        stateDir = tmp.resolve("state");
        dir = new AgentDir(stateDir.resolve("agents").resolve("a1"));
        Files.createDirectories(dir.workspace());
        Files.createDirectories(stateDir.resolve("agents").resolve("other").resolve("workspace"));
        Path jarDir = Files.createDirectories(tmp.resolve("runner").resolve("target"));
        jar = Files.writeString(jarDir.resolve("agentkernel-runner.jar"), "jar");
        Files.createDirectories(stateDir.resolve("cds"));
        archive = stateDir.resolve("cds").resolve("runner-1.jsa");
    }

    List<String> runnerCommand() {
        return List.of(JAVA, "-XX:+UseSerialGC", "-XX:SharedArchiveFile=" + archive, "-XX:+AutoCreateSharedArchive",
                "-cp", jar.toString(), "dev.agentkernel.runner.RunnerMain", "--config", dir.configFile().toString());
    }

    /** The (source, destination) pairs of every mount option {@code opt}. */
    static List<String> mounts(List<String> args, String opt) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--")) break;
            if (args.get(i).equals(opt)) out.add(args.get(i + 1) + " -> " + args.get(i + 2));
        }
        return out;
    }

    static List<String> options(List<String> args) { return args.subList(0, args.indexOf("--")); }

    @Test
    void systemIsReadOnlyAndTheAgentDirIsTheOnlyWritableMount() throws Exception {
        List<String> args = BwrapCommand.build(BWRAP, runnerCommand(), dir, false);
        assertEquals(BWRAP.toString(), args.getFirst());
        String agent = dir.path().toAbsolutePath().toString();
        assertEquals(List.of(agent + " -> " + agent), mounts(args, "--bind"), "only the agent's own directory is writable");
        List<String> ro = mounts(args, "--ro-bind");
        assertTrue(ro.contains("/usr -> /usr") && ro.contains("/etc -> /etc"), ro.toString());
        for (String p : List.of("/bin", "/lib", "/lib64")) {
            Path host = Path.of(p);
            if (Files.isSymbolicLink(host)) {
                // Merged /usr: the same symlink inside, pointing into the read-only /usr.
                assertTrue(String.join(" ", args).contains("--symlink " + Files.readSymbolicLink(host) + " " + p), p);
            } else if (Files.isDirectory(host)) {
                assertTrue(ro.contains(p + " -> " + p), p);
            }
        }
        assertTrue(ro.contains(jar + " -> " + jar), "the runner jar is read-only: " + ro);
        String config = dir.configFile().toAbsolutePath().toString();
        assertTrue(ro.contains(config + " -> " + config), "the agent cannot rewrite its config");
        // The agent's mount must come after the private /tmp, or the tmpfs would hide it when the state dir is under /tmp.
        assertTrue(args.indexOf("--tmpfs") < args.indexOf("--bind"));
        assertEquals("/tmp", args.get(args.indexOf("--tmpfs") + 1));
        assertEquals("/proc", args.get(args.indexOf("--proc") + 1));
        assertEquals("/dev", args.get(args.indexOf("--dev") + 1));
    }

    @Test
    void theKernelStateDirOtherAgentsAndTheHostHomeAreNeverMounted() {
        List<String> opts = options(BwrapCommand.build(BWRAP, runnerCommand(), dir, false));
        String state = stateDir.toAbsolutePath().toString();
        String home = System.getProperty("user.home");
        String agent = dir.path().toAbsolutePath().toString();
        for (String a : opts) {
            if (!a.startsWith("/")) continue;
            if (a.startsWith(state)) {
                assertTrue(a.startsWith(agent), "only the agent's own directory of the state dir is mounted, not " + a);
            }
            assertFalse(a.equals(home), "the host home is not mounted");
        }
        assertFalse(opts.contains(stateDir.resolve("agents").resolve("other").toString()));
    }

    @Test
    void namespacesCapabilitiesAndEnvironment() {
        List<String> opts = options(BwrapCommand.build(BWRAP, runnerCommand(), dir, false));
        for (String flag : List.of("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--new-session", "--die-with-parent")) {
            assertTrue(opts.contains(flag), flag);
        }
        assertFalse(opts.contains("--unshare-net"), "the kernel reaches the runner's loopback port in the host network namespace");
        assertEquals("ALL", opts.get(opts.indexOf("--cap-drop") + 1));
        String ws = dir.workspace().toAbsolutePath().toString();
        assertEquals(ws, opts.get(opts.indexOf("--chdir") + 1));
        assertTrue(String.join(" ", opts).contains("--setenv HOME " + ws));
        assertTrue(String.join(" ", opts).contains("--setenv TMPDIR /tmp"));
    }

    @Test
    void aDetachedAgentDoesNotDieWithTheKernel() {
        assertFalse(BwrapCommand.build(BWRAP, runnerCommand(), dir, true).contains("--die-with-parent"));
    }

    @Test
    void theRunnerCommandFollowsTheSeparatorAndCannotWriteTheSharedCdsArchive() throws Exception {
        List<String> args = BwrapCommand.build(BWRAP, runnerCommand(), dir, false);
        List<String> inner = args.subList(args.indexOf("--") + 1, args.size());
        assertEquals(List.of(JAVA, "-XX:+UseSerialGC", "-cp", jar.toString(), "dev.agentkernel.runner.RunnerMain", "--config",
                dir.configFile().toString()), inner, "no archive yet: no CDS flags, and nothing may create one");

        Files.writeString(archive, "jsa");
        args = BwrapCommand.build(BWRAP, runnerCommand(), dir, false);
        inner = args.subList(args.indexOf("--") + 1, args.size());
        assertTrue(inner.contains("-XX:SharedArchiveFile=" + archive), "an existing archive is mapped");
        assertFalse(inner.contains("-XX:+AutoCreateSharedArchive"), "but never rewritten from inside a sandbox");
        assertTrue(mounts(args, "--ro-bind").contains(archive + " -> " + archive), "the archive alone is bound, read-only");
        assertFalse(options(args).contains(stateDir.resolve("cds").toString()), "not the cds directory");
    }

    @Test
    void aJdkOutsideTheSystemDirsIsBoundReadOnly() throws Exception {
        Path jdk = tmp.resolve("opt-jdk");
        Path java = Files.createDirectories(jdk.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        assertEquals(jdk, BwrapCommand.javaHome(java));
        List<String> cmd = new ArrayList<>(runnerCommand());
        cmd.set(0, java.toString());
        assertTrue(mounts(BwrapCommand.build(BWRAP, cmd, dir, false), "--ro-bind").contains(jdk + " -> " + jdk));
        // A JDK under /usr is already in the read-only system view: no second mount.
        assertTrue(mounts(BwrapCommand.build(BWRAP, runnerCommand(), dir, false), "--ro-bind").stream().noneMatch(m -> m.startsWith("/usr/lib/jvm")));
    }

    @Test
    void theLibrariesOfTheRunnerJarManifestAreBoundReadOnly() throws Exception {
        Path target = tmp.resolve("runner").resolve("target");
        Path lib = Files.createDirectories(target.resolve("lib"));
        Files.writeString(lib.resolve("jackson.jar"), "x");
        Files.writeString(target.resolve("side.jar"), "x");
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, "lib/jackson.jar side.jar");
        Files.delete(jar);
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), m)) {
            // A manifest is all this jar needs.
        }
        List<String> ro = mounts(BwrapCommand.build(BWRAP, runnerCommand(), dir, false), "--ro-bind");
        assertTrue(ro.contains(lib + " -> " + lib), "the lib directory: " + ro);
        assertTrue(ro.contains(target.resolve("side.jar") + " -> " + target.resolve("side.jar")), "a sibling jar, alone: " + ro);
        assertFalse(ro.contains(target + " -> " + target), "not the whole build directory: " + ro);
    }

    @Test
    void aSymlinkedJdkIsMountedAtItsRealPathAndUnderTheNameTheCommandUses() throws Exception {
        Path realJdk = tmp.resolve("jdks/jdk-25");
        Files.createDirectories(realJdk.resolve("bin"));
        Files.writeString(realJdk.resolve("bin/java"), "#!/bin/sh\n");
        Path link = Files.createSymbolicLink(tmp.resolve("current-jdk"), realJdk);
        List<String> cmd = new ArrayList<>(runnerCommand());
        cmd.set(0, link.resolve("bin/java").toString());
        List<String> ro = mounts(BwrapCommand.build(BWRAP, cmd, dir, false), "--ro-bind");
        Path real = realJdk.toRealPath();
        assertTrue(ro.contains(real + " -> " + real), ro.toString());
        assertTrue(ro.contains(real + " -> " + link), ro.toString());
    }
}
