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

    /** The shape a kernel that is not root builds: one bwrap, the kernel's own uid. */
    static List<String> unprivileged(List<String> cmd, AgentDir dir, boolean detached) { return unprivileged(cmd, dir, detached, null); }

    static List<String> unprivileged(List<String> cmd, AgentDir dir, boolean detached, Path relay) {
        return BwrapCommand.of(BWRAP, cmd, dir, detached, new BwrapCommand.Options(relay, null, BwrapCommand.DEFAULT_TMP_BYTES));
    }

    @Test
    void systemIsReadOnlyAndOnlyTheWorkspaceAndTheRunnersLogsAreWritable() throws Exception {
        Files.writeString(dir.historyFile(), "");
        List<String> args = unprivileged(runnerCommand(), dir, false);
        assertEquals(BWRAP.toString(), args.getFirst());
        String agent = dir.path().toAbsolutePath().toString();
        String workspace = dir.workspace().toAbsolutePath().toString();
        String history = dir.historyFile().toAbsolutePath().toString();
        assertEquals(List.of(workspace + " -> " + workspace, history + " -> " + history), mounts(args, "--bind"),
                "only the workspace and the history the runner appends to are writable (no bus log: this agent has no bus)");
        List<String> ro = mounts(args, "--ro-bind");
        assertTrue(ro.contains(agent + " -> " + agent), "the rest of the agent's directory is read-only: " + ro);
        assertTrue(ro.indexOf(agent + " -> " + agent) < args.indexOf("--bind"), "the writable mounts come after, on top");
        Files.writeString(dir.busLogFile(), "");
        String bus = dir.busLogFile().toAbsolutePath().toString();
        assertTrue(mounts(unprivileged(runnerCommand(), dir, false), "--bind").contains(bus + " -> " + bus),
                "an agent with the AgentBus appends to its log");
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
        // The agent's mount must come after the private /tmp, or the tmpfs would hide it when the state dir is under /tmp.
        assertTrue(args.indexOf("--tmpfs") < args.indexOf("--bind"));
        assertEquals("/tmp", args.get(args.indexOf("--tmpfs") + 1));
        assertEquals("/proc", args.get(args.indexOf("--proc") + 1));
        assertEquals("/dev", args.get(args.indexOf("--dev") + 1));
    }

    @Test
    void theKernelStateDirOtherAgentsAndTheHostHomeAreNeverMounted() {
        List<String> opts = options(unprivileged(runnerCommand(), dir, false));
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
        List<String> opts = options(unprivileged(runnerCommand(), dir, false));
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
        assertFalse(unprivileged(runnerCommand(), dir, true).contains("--die-with-parent"));
    }

    @Test
    void theRunnerCommandFollowsTheSeparatorAndCannotWriteTheSharedCdsArchive() throws Exception {
        List<String> args = unprivileged(runnerCommand(), dir, false);
        List<String> inner = args.subList(args.indexOf("--") + 1, args.size());
        assertEquals(List.of(JAVA, "-XX:+UseSerialGC", "-cp", jar.toString(), "dev.agentkernel.runner.RunnerMain", "--config",
                dir.configFile().toString()), inner, "no archive yet: no CDS flags, and nothing may create one");

        Files.writeString(archive, "jsa");
        args = unprivileged(runnerCommand(), dir, false);
        inner = args.subList(args.indexOf("--") + 1, args.size());
        assertTrue(inner.contains("-XX:SharedArchiveFile=" + archive), "an existing archive is mapped");
        assertFalse(inner.contains("-XX:+AutoCreateSharedArchive"), "but never rewritten from inside a sandbox");
        assertTrue(mounts(args, "--ro-bind").contains(archive + " -> " + archive), "the archive alone is bound, read-only");
        assertFalse(options(args).contains(stateDir.resolve("cds").toString()), "not the cds directory");
    }

    @Test
    void theRunnersAotCacheIsBoundReadOnlyLikeTheCdsArchive() throws Exception {
        Path aot = stateDir.resolve("cds").resolve("runner-1.aot");
        List<String> cmd = List.of(JAVA, "-XX:AOTMode=auto", "-XX:AOTCache=" + aot, "-cp", jar.toString(),
                "dev.agentkernel.runner.RunnerMain", "--config", dir.configFile().toString());
        List<String> args = unprivileged(cmd, dir, false);
        assertFalse(args.subList(args.indexOf("--") + 1, args.size()).contains("-XX:AOTCache=" + aot), "no cache yet: not named");
        Files.createDirectories(aot.getParent());
        Files.writeString(aot, "aot");
        args = unprivileged(cmd, dir, false);
        assertTrue(args.subList(args.indexOf("--") + 1, args.size()).contains("-XX:AOTCache=" + aot), "an existing cache is mapped");
        assertTrue(mounts(args, "--ro-bind").contains(aot + " -> " + aot), "the cache alone is bound, read-only");
    }

    @Test
    void aJdkOutsideTheSystemDirsIsBoundReadOnly() throws Exception {
        Path jdk = tmp.resolve("opt-jdk");
        Path java = Files.createDirectories(jdk.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        assertEquals(jdk, BwrapCommand.javaHome(java));
        List<String> cmd = new ArrayList<>(runnerCommand());
        cmd.set(0, java.toString());
        assertTrue(mounts(unprivileged(cmd, dir, false), "--ro-bind").contains(jdk + " -> " + jdk));
        // A JDK under /usr is already in the read-only system view: no second mount.
        assertTrue(mounts(unprivileged(runnerCommand(), dir, false), "--ro-bind").stream().noneMatch(m -> m.startsWith("/usr/lib/jvm")));
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
        List<String> ro = mounts(unprivileged(runnerCommand(), dir, false), "--ro-bind");
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
        List<String> ro = mounts(unprivileged(cmd, dir, false), "--ro-bind");
        Path real = realJdk.toRealPath();
        assertTrue(ro.contains(real + " -> " + real), ro.toString());
        assertTrue(ro.contains(real + " -> " + link), ro.toString());
    }

    /** The index in {@code args} of the mount {@code opt src dst}, or -1. */
    static int mountIndex(List<String> args, String opt, String src, String dst) {
        for (int i = 0; i + 2 < args.size(); i++) {
            if (args.get(i).equals("--")) break;
            if (args.get(i).equals(opt) && args.get(i + 1).equals(src) && args.get(i + 2).equals(dst)) return i;
        }
        return -1;
    }

    /**
     * The option of the mount that {@code path} ends up under inside the sandbox: bwrap applies mounts in order,
     * so the last one whose destination is {@code path} or one of its parents covers the earlier ones.
     */
    static String effectiveMount(List<String> args, Path path) {
        String found = "(none)";
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) break;
            String dest = switch (a) {
                case "--bind", "--ro-bind", "--bind-try", "--ro-bind-try", "--dev-bind", "--symlink" -> args.get(i + 2);
                case "--tmpfs", "--proc", "--dev" -> args.get(i + 1);
                default -> null;
            };
            if (dest != null && path.toAbsolutePath().normalize().startsWith(Path.of(dest))) found = a;
        }
        return found;
    }

    @Test
    void anIsolatedNetworkUnsharesItAndMountsTheRelayDirAtTheShortPath() throws Exception {
        Path relay = Files.createDirectories(stateDir.resolve("relay").resolve("a1"));
        List<String> args = unprivileged(runnerCommand(), dir, false, relay);
        List<String> opts = options(args);
        assertTrue(opts.contains("--unshare-net"), opts.toString());
        String host = relay.toAbsolutePath().normalize().toString();
        assertEquals("/run/agentkernel", dev.agentkernel.protocol.relay.RelaySockets.SANDBOX_DIR);
        int relayBind = mountIndex(args, "--bind", host, dev.agentkernel.protocol.relay.RelaySockets.SANDBOX_DIR);
        assertTrue(relayBind >= 0, opts.toString());
        assertEquals(List.of(host + " -> /run/agentkernel"),
                mounts(args, "--bind").stream().filter(m -> m.endsWith(" -> /run/agentkernel")).toList(), "one relay mount, writable");
        assertTrue(mounts(args, "--bind").stream().noneMatch(m -> m.endsWith(" -> " + host)), "the relay dir is not mounted at its host path");
        assertEquals("--bind", effectiveMount(args, Path.of("/run/agentkernel/egress.sock")));
        // The relay dir is mounted after the private /tmp, which would otherwise hide it under a state dir in /tmp.
        assertTrue(args.indexOf("--tmpfs") < relayBind);
        // The same runner command after "--" as without isolation.
        List<String> inner = args.subList(args.indexOf("--") + 1, args.size());
        List<String> shared = unprivileged(runnerCommand(), dir, false, null);
        assertEquals(shared.subList(shared.indexOf("--") + 1, shared.size()), inner);
        assertTrue(opts.contains("--die-with-parent"));
        assertFalse(options(unprivileged(runnerCommand(), dir, true, relay)).contains("--die-with-parent"));
    }

    @Test
    void withoutARelayDirTheNetworkIsShared() {
        for (List<String> args : List.of(BwrapCommand.build(BWRAP, runnerCommand(), dir, false, null),
                BwrapCommand.build(BWRAP, runnerCommand(), dir, false))) {
            List<String> opts = options(args);
            assertFalse(opts.contains("--unshare-net"), opts.toString());
            assertFalse(opts.contains("/run/agentkernel"), opts.toString());
            assertEquals("(none)", effectiveMount(args, Path.of("/run/agentkernel")), opts.toString());
        }
        assertEquals(BwrapCommand.build(BWRAP, runnerCommand(), dir, false), BwrapCommand.build(BWRAP, runnerCommand(), dir, false, null),
                "the 4-argument form is the shared network");
    }

    @Test
    void theAgentRecordAndConfigAreReadOnlyOverTheWritableWorkspace() throws Exception {
        Path relay = stateDir.resolve("relay").resolve("a1");
        Path record = dir.recordFile().toAbsolutePath().normalize();
        Path config = dir.configFile().toAbsolutePath().normalize();
        assertEquals(dir.path().toAbsolutePath().normalize().resolve("agent.json"), record);
        for (Path relayDir : java.util.Arrays.asList(relay, null)) {
            List<String> args = unprivileged(runnerCommand(), dir, false, relayDir);
            // Whatever mounts make the agent dir writable, agent.json and config.json must end up under a read-only one
            // that comes later (later mounts cover earlier ones).
            assertEquals("--ro-bind", effectiveMount(args, record), "agent.json (relay " + relayDir + "): " + args);
            assertEquals("--ro-bind", effectiveMount(args, config), "config.json (relay " + relayDir + "): " + args);
            assertEquals("--bind", effectiveMount(args, dir.workspace().resolve("out.txt")), "the workspace is writable: " + args);
            assertFalse(mounts(args, "--bind").contains(record + " -> " + record), "never writable");
            int recordMount = -1;
            for (int i = 0; i + 2 < args.size() && !args.get(i).equals("--"); i++) {
                if (args.get(i).equals("--ro-bind") && record.startsWith(Path.of(args.get(i + 2)))) recordMount = i;
            }
            for (int i = 0; i + 2 < args.size() && !args.get(i).equals("--"); i++) {
                if (args.get(i).equals("--bind") && record.startsWith(Path.of(args.get(i + 2)))) {
                    assertTrue(i < recordMount, "a writable mount over agent.json comes before its read-only one: " + args);
                }
            }
        }
    }

    /**
     * A root kernel: the outer bwrap (root) mounts, then setpriv drops to the sandbox user before an inner bwrap puts
     * the runner in a user and pid namespace of its own, as uid 1000 inside. Nothing below setpriv keeps a capability.
     */
    @Test
    void aRootKernelDropsToTheSandboxUserBeforeTheRunnerStarts() {
        Path relay = stateDir.resolve("relay").resolve("a1");
        List<String> args = BwrapCommand.of(BWRAP, runnerCommand(), dir, false,
                new BwrapCommand.Options(relay, SandboxUser.NOBODY, 64L << 20));
        List<String> outer = options(args);
        assertFalse(outer.contains("--unshare-pid"), "the outer bwrap keeps the host's pid namespace; the inner one makes the new one");
        assertTrue(String.join(" ", outer).contains("--bind /proc /proc"), "a procfs without covers, so the inner bwrap may mount its own");
        assertTrue(String.join(" ", outer).contains("--cap-drop ALL --cap-add CAP_SETUID --cap-add CAP_SETGID"), outer.toString());
        assertTrue(String.join(" ", outer).contains("--perms 1777 --size " + (64L << 20) + " --tmpfs /tmp"), outer.toString());
        assertTrue(outer.contains("--unshare-net") && outer.contains("--die-with-parent"), outer.toString());
        // the missing parents of the agent dir, which bwrap makes 0700 root, are opened for the sandbox user
        assertTrue(String.join(" ", outer).contains("--chmod 0755 " + stateDir.resolve("agents").toAbsolutePath()), outer.toString());
        List<String> rest = args.subList(args.indexOf("--") + 1, args.size());
        assertEquals(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"), rest.subList(0, 5));
        List<String> inner = rest.subList(5, rest.size());
        List<String> innerOpts = inner.subList(0, inner.indexOf("--"));
        assertEquals(BWRAP.toString(), innerOpts.getFirst());
        assertTrue(String.join(" ", innerOpts).contains("--unshare-user --uid 1000 --gid 1000 --unshare-pid"), innerOpts.toString());
        assertTrue(String.join(" ", innerOpts).contains("--proc /proc"), innerOpts.toString());
        assertEquals("ALL", innerOpts.get(innerOpts.indexOf("--cap-drop") + 1));
        assertFalse(innerOpts.contains("--cap-add"));
        assertTrue(String.join(" ", innerOpts).contains("--setenv " + dev.agentkernel.protocol.sandbox.ToolSandboxEnv.ENV + " /usr/bin/bwrap"));
        assertEquals(unprivileged(runnerCommand(), dir, false).subList(unprivileged(runnerCommand(), dir, false).indexOf("--") + 1,
                unprivileged(runnerCommand(), dir, false).size()), inner.subList(inner.indexOf("--") + 1, inner.size()),
                "the same runner command as without root");
    }

    @Test
    void withoutRootOneBwrapMakesEveryNamespaceAndTmpIsBounded() {
        List<String> opts = options(unprivileged(runnerCommand(), dir, false));
        assertFalse(opts.contains("--cap-add") || opts.contains("/usr/bin/setpriv"), opts.toString());
        assertTrue(String.join(" ", opts).contains("--perms 1777 --size " + BwrapCommand.DEFAULT_TMP_BYTES + " --tmpfs /tmp"), opts.toString());
        assertTrue(String.join(" ", opts).contains("--setenv " + dev.agentkernel.protocol.sandbox.ToolSandboxEnv.ENV + " /usr/bin/bwrap"));
    }

    @Test
    void theSandboxUserIsNeverRoot() {
        assertThrows(IllegalArgumentException.class, () -> new SandboxUser(0, 65534));
        assertThrows(IllegalArgumentException.class, () -> new SandboxUser(65534, 0));
        assertThrows(IllegalArgumentException.class, () -> new BwrapCommand.Options(null, null, 0));
    }
}
