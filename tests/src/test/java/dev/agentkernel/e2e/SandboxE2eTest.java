package dev.agentkernel.e2e;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.AgentStatus;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.examples.LlmSetup;
import dev.agentkernel.examples.SimpleAgent;
import dev.agentkernel.examples.TeamScenario;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.fakellm.junit.FakeLlm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static dev.agentkernel.e2e.E2e.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@code sandbox} backend with the real runner under bubblewrap. Every isolation claim is checked
 * the way an agent would break it: the scripted LLM makes the agent's {@code bash} tool run the
 * command in a real turn, and the test reads the refusal from the tool result.
 */
@Timeout(300)
class SandboxE2eTest {

    @TempDir static Path tmp;
    @FakeLlm static FakeLlmServer llm;
    @Kernel("sandboxKernel") static AgentKernel kernel;
    static SpawnResult alice;
    static SpawnResult bob;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")),
                "these tests need bubblewrap: apt-get install -y bubblewrap");
        alice = spawn(kernel, "alice", llm);
        bob = spawn(kernel, "bob", llm);
    }

    static AgentKernel sandboxKernel(Path stateDir) {
        return AgentKernel.builder().backend("sandbox").plugin(new OpenClawPlugin()).stateDir(stateDir)
                .hostEnv(Map.of("PATH", System.getenv("PATH"))).spawnTimeout(Duration.ofSeconds(60)).build();
    }

    /** One real turn in which the model calls {@code bash} with {@code command}; returns the tool's output. */
    static String bash(SpawnResult agent, String command) {
        return bashOn(kernel, agent, command);
    }

    @Test
    void runsUnderBubblewrapAsTheSandboxBackend() {
        assertEquals("sandbox", kernel.backend());
        long pid = pid(kernel, alice.agent().id());
        String command = ProcessHandle.of(pid).flatMap(h -> h.info().command()).orElse("");
        assertTrue(command.endsWith("bwrap"), "the agent's process is bubblewrap: " + command);
        // its warm-up turn ran inside the sandbox although its LLM client only reaches out through the egress proxy
        com.fasterxml.jackson.databind.JsonNode info = kernel.agentClient().getInfo(alice.agent().id()).join().raw();
        assertEquals("turn", info.path(dev.agentkernel.protocol.Protocol.INFO_WARM_UP).asText(), info.toString());
        String out = bash(alice, "echo pid=$$ home=$HOME; hostname; ls /");
        assertTrue(out.contains("home=" + agentDir(kernel, alice.agent().id()).resolve("workspace")), out);
        assertFalse(out.contains("pid=" + pid), "bash has a pid of the sandbox's own namespace: " + out);
    }

    @Test
    void theSandboxedRunnerMapsTheSharedAppCdsArchive() throws Exception {
        long bwrap = pid(kernel, alice.agent().id());
        ProcessHandle runner = ProcessHandle.of(bwrap).orElseThrow().descendants()
                .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false)).findFirst().orElseThrow();
        String maps = Files.readString(Path.of("/proc", Long.toString(runner.pid()), "maps"));
        assertTrue(maps.contains(kernel.stateDir().resolve("cds") + "/runner-"),
                "the runner maps the archive bound read-only into its sandbox (else it starts slower)");
    }

    @Test
    void cannotWriteOutsideItsWorkspace() throws Exception {
        Path hostDir = Files.createDirectories(tmp.resolve("host-dir"));
        Path outside = hostDir.resolve("escaped.txt");
        String privateTmp = "sandbox-private-" + System.nanoTime();
        String out = bash(alice, "echo x > /usr/escaped.txt; echo x > /etc/escaped.txt; echo x > " + outside
                + "; echo x > /tmp/" + privateTmp + " && echo tmp-ok; echo x > inside.txt && echo ws-ok");
        assertTrue(out.contains("/usr/escaped.txt: Read-only file system"), out);
        assertTrue(out.contains("/etc/escaped.txt: Read-only file system"), out);
        assertTrue(out.contains(outside + ": No such file or directory"), "a host path outside the sandbox does not exist: " + out);
        assertFalse(Files.exists(outside) || Files.exists(Path.of("/usr/escaped.txt")) || Files.exists(Path.of("/etc/escaped.txt")));
        assertTrue(out.contains("tmp-ok") && out.contains("ws-ok"), out);
        assertFalse(Files.exists(Path.of("/tmp", privateTmp)), "the sandbox's /tmp is private");
        assertEquals("x\n", Files.readString(agentDir(kernel, alice.agent().id()).resolve("workspace/inside.txt")),
                "the workspace is the writable place");
        String jar = runnerJar().toAbsolutePath().normalize().toString();
        String ro = bash(alice, "cat " + jar + " > /dev/null && echo jar-readable; touch " + jar);
        // Read-only mount; with a root kernel the agent is not the jar's owner either (Permission denied comes first).
        assertTrue(ro.contains("jar-readable") && (ro.contains("Read-only file system") || ro.contains("Permission denied")),
                "the runner jar is read-only: " + ro);
    }

    @Test
    void cannotSeeOtherAgentsOrTheKernelStateDir() throws Exception {
        Path state = kernel.stateDir();
        Path bobDir = agentDir(kernel, bob.agent().id());
        assertTrue(Files.readString(bobDir.resolve("config.json")).contains(bob.nonce()), "bob's nonce is on the host");
        String out = bash(alice, "ls " + state.resolve("agents") + "; cat " + bobDir.resolve("config.json")
                + "; ls " + bobDir.resolve("workspace") + "; ls " + state.resolve("blobs") + "; echo state: $(ls " + state + ")"
                + "; for f in " + state.resolve("cds") + "/*; do echo tamper > $f; done");
        assertFalse(out.contains(bob.nonce()), "alice cannot read bob's nonce: " + out);
        assertFalse(out.contains(bob.agent().id() + "\n"), "alice's listing of the agents dir shows only herself: " + out);
        assertTrue(out.contains(alice.agent().id()), out);
        assertTrue(out.contains(bobDir.resolve("config.json") + ": No such file or directory"), out);
        assertTrue(out.contains(state.resolve("blobs") + "': No such file or directory"), out);
        assertTrue(out.contains("state: agents cds\n"), "of the state dir only the agent's own dir and the AppCDS archive exist: " + out);
        assertTrue(out.contains(".jsa: Read-only file system") || out.contains(".aot: Read-only file system"),
                "the shared class cache (AOT cache or AppCDS archive) is read-only: " + out);
        // Her own config is there for the runner, but read-only.
        String own = bash(alice, "echo '{}' > " + agentDir(kernel, alice.agent().id()).resolve("config.json"));
        assertTrue(own.contains("Read-only file system"), own);
    }

    @Test
    void cannotReadTheHostHomeDirectory() throws Exception {
        Path home = Path.of(System.getProperty("user.home"));
        String planted = "planted-" + System.nanoTime();
        Path secret = Files.createTempFile(home, planted, ".txt");
        try {
            Files.writeString(secret, "host secret " + planted);
            String out = bash(alice, "cat " + secret + "; ls -A " + home + "; echo HOME=$HOME");
            assertFalse(out.contains("host secret"), out);
            assertTrue(out.contains(secret + ": No such file or directory"), out);
            assertTrue(Files.isDirectory(home.resolve(".m2")), "the host home has content the agent could list");
            assertFalse(out.contains(".m2"), "the host home is not listed: " + out);
            assertTrue(out.contains("HOME=" + agentDir(kernel, alice.agent().id()).resolve("workspace")), out);
        } finally {
            Files.deleteIfExists(secret);
        }
    }

    /**
     * The sandbox keeps the kernel's uid: with a root kernel the agent would read root-only files of the
     * read-only /etc. What others may not read is masked with an empty file or directory.
     */
    @Test
    void cannotReadPrivateSystemFiles() throws Exception {
        Path shadow = Path.of("/etc/shadow");
        assertTrue(Files.size(shadow) > 0, "the host has a non-empty shadow file");
        assertFalse(PosixFilePermissions.toString(Files.getPosixFilePermissions(shadow)).endsWith("r--"), "and it is private");
        String out = bash(alice, "echo shadow=$(cat /etc/shadow | wc -c); echo passwd=$(head -c 5 /etc/passwd); echo x > /etc/shadow");
        assertTrue(out.contains("shadow=0"), "the shadow file reads empty inside: " + out);
        assertTrue(out.contains("passwd=root:"), "public files of /etc stay readable: " + out);
        assertTrue(out.contains("/etc/shadow: Read-only file system") || out.contains("/etc/shadow: Permission denied"), out);
        Path sslPrivate = Path.of("/etc/ssl/private");
        if (Files.isDirectory(sslPrivate) && !PosixFilePermissions.toString(Files.getPosixFilePermissions(sslPrivate)).endsWith("r-x")) {
            String keys = bash(alice, "echo keys=$(ls -A /etc/ssl/private | wc -l)");
            assertTrue(keys.contains("keys=0"), "a private directory is empty inside: " + keys);
        }
    }

    @Test
    void cannotSignalProcessesOutsideItsSandbox() throws Exception {
        Process victim = new ProcessBuilder("sleep", "120").start();
        try {
            long kernelPid = ProcessHandle.current().pid();
            String out = bash(alice, "kill -0 " + kernelPid + "; kill -TERM " + victim.pid() + "; kill -KILL "
                    + pid(kernel, bob.agent().id()) + "; echo procs=$(ls /proc | grep -c '^[0-9]')");
            assertTrue(out.contains("kill: (" + kernelPid + ") - No such process"), out);
            assertTrue(out.contains("kill: (" + victim.pid() + ") - No such process"), out);
            assertTrue(victim.isAlive(), "the host process was not signalled");
            assertTrue(alive(pid(kernel, bob.agent().id())), "bob's sandbox was not signalled");
            int procs = Integer.parseInt(out.replaceAll("(?s).*procs=(\\d+).*", "$1"));
            assertTrue(procs < 15, "only the sandbox's own few processes are visible: " + out);
            assertEquals("Echo: still here", kernel.ask(bob.agent().id(), bob.nonce(), "still here"));
        } finally {
            victim.destroyForcibly();
            victim.waitFor();
        }
    }

    /**
     * The kernel keeps files in the agent's directory: the record the CLI trusts (its pid is what `cleanup`
     * signals) and `network.log`. The agent must not be able to rewrite them, nor plant links that would
     * make the kernel write to a host file; only its workspace is writable (the runner's logs are hidden from its tools).
     */
    @Test
    void cannotForgeItsRecordOrMakeTheKernelWriteThroughALink() throws Exception {
        SpawnResult dave = spawn(kernel, "dave", llm);
        Path dir = agentDir(kernel, dave.agent().id());
        Path victim = Files.createTempFile(tmp, "victim", ".txt");
        Files.writeString(victim, "untouched");
        String out = bash(dave, "echo forged > " + dir.resolve("agent.json")
                + "; ln -s " + victim + " " + dir.resolve("agent.json.tmp")
                + "; ln -s " + victim + " " + dir.resolve("network.log")
                + "; echo x >> " + dir.resolve("history.jsonl") + " && echo history-writable"
                + "; curl -s --noproxy '' --max-time 5 http://127.0.0.1:9/ > /dev/null; echo denied-once");
        assertTrue(out.contains(dir.resolve("agent.json") + ": Read-only file system"), out);
        assertTrue(out.contains("agent.json.tmp': Read-only file system"), out);
        assertTrue(out.contains("network.log': Read-only file system"), out);
        // The runner's log is out of its tools' reach (issue 12; SandboxHardeningE2eTest has every way in).
        assertFalse(out.contains("history-writable"), out);
        assertTrue(out.contains("denied-once"), out);
        assertTrue(Files.readString(dir.resolve("network.log")).contains("denied 127.0.0.1:9"), "the kernel logged the refusal");
        kernel.spawner().kill(dave.agent().id()).join();
        assertEquals("untouched", Files.readString(victim));
        assertEquals(dev.agentkernel.AgentState.STOPPED, record(kernel, dave.agent().id()).state());
        assertEquals(dave.agent().id(), record(kernel, dave.agent().id()).id());
    }

    @Test
    void statusKillAndCleanupBehaveAsLocal() throws Exception {
        SpawnResult carol = spawn(kernel, "carol", llm);
        // A background job ends with its command (the tool sandbox's pid namespace ends with it, docs/sandbox.md);
        // what kill must take down is the sandbox: the bwraps and the runner.
        bash(carol, "sleep 300 > /dev/null 2>&1 & echo started");
        long pid = pid(kernel, carol.agent().id());
        List<Long> tree = tree(pid);
        assertTrue(tree.size() >= 2, "bwrap and the runner: " + tree);
        AgentStatus st = kernel.status().join().stream().filter(s -> s.agentId().equals(carol.agent().id())).findFirst().orElseThrow();
        assertTrue(st.live() && st.processAlive(), st.toString());
        kernel.spawner().kill(carol.agent().id()).join();
        assertAllDead(tree);
        assertFalse(Files.exists(agentDir(kernel, carol.agent().id()).resolve("config.json")), "kill removes the nonce file");
        assertTrue(Files.exists(agentDir(kernel, carol.agent().id()).resolve("history.jsonl")), "the runner wrote its history inside the sandbox");
    }

    @Test
    void aDetachedSandboxOutlivesItsKernelAndAnotherKernelAttachesToIt() {
        Path state = tmp.resolve("detached");
        SpawnResult d;
        long pid;
        try (AgentKernel first = sandboxKernel(state)) {
            d = first.spawner().spawn(SpawnRequest.builder().name("stays").detached(true).spawnInfo(info(llm).build()).build()).join();
            pid = pid(first, d.agent().id());
        }
        // The first kernel's launcher thread is gone; a non-detached sandbox would have died with it.
        assertTrue(alive(pid), "the detached sandbox outlived its kernel");
        try (AgentKernel second = sandboxKernel(state)) {
            second.attach(d.agent().id(), d.nonce());
            assertTrue(bashOn(second, d, "echo from $HOME").contains("from " + agentDir(second, d.agent().id()).resolve("workspace")));
            List<Long> sandbox = tree(pid);
            second.spawner().kill(d.agent().id()).join();
            assertAllDead(sandbox);
        }
    }

    static String bashOn(AgentKernel k, SpawnResult agent, String command) {
        String reply = k.ask(agent.agent().id(), agent.nonce(), "[[bash: " + command + "]]");
        int at = reply.indexOf("Tool result: ");
        assertTrue(at >= 0, "the turn ran the bash tool: " + reply);
        return reply.substring(at);
    }

    @Test
    void theExamplesRunOnTheSandboxBackend() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        try (AgentKernel k = sandboxKernel(tmp.resolve("examples"))) {
            try (LlmSetup offline = LlmSetup.offline(out)) {
                SimpleAgent.run(k, offline, out);
            }
            try (LlmSetup offline = LlmSetup.offline(out)) {
                TeamScenario.run(k, offline, out);
            }
            assertTrue(k.spawner().agents().isEmpty(), "the examples clean up after themselves");
        }
        // No local runner ever ran in this state dir: the kernel trained the AppCDS archive outside the sandbox.
        assertTrue(listing(tmp.resolve("examples/cds")).stream().anyMatch(n -> n.startsWith("runner-") && (n.endsWith(".jsa") || n.endsWith(".aot"))),
                "archive: " + listing(tmp.resolve("examples/cds")));
        String text = buf.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertTrue(text.contains("Spawned: ") && text.contains("(researcher)"), text);
        assertTrue(text.contains("cost=3 benefit=5"), "the analyst's bash call ran in its sandbox: " + text);
        assertTrue(text.contains("TeamCapacityException"), text);
        assertTrue(text.contains("Done: every agent this kernel started is stopped."), text);
        assertFalse(text.contains("UNEXPECTED"), text);
    }

    static List<String> listing(Path dir) {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    /**
     * Spawn→ready, sandbox vs local, alternating so both see the same machine load. Each kernel has its
     * own state dir and AppCDS archive; the first spawn of each (which creates it) is not counted.
     */
    @Test
    void spawnToReadyOnSandboxIsCloseToLocal() {
        int rounds = Integer.getInteger("agentkernel.sandbox.bench.rounds", 10);
        try (AgentKernel local = AgentKernel.builder().plugin(new OpenClawPlugin()).stateDir(tmp.resolve("bench-local"))
                .hostEnv(Map.of("PATH", System.getenv("PATH"))).spawnTimeout(Duration.ofSeconds(60)).build();
             AgentKernel sandbox = sandboxKernel(tmp.resolve("bench-sandbox"))) {
            System.out.printf("first spawn in a fresh state dir (trains the AppCDS archive): local %d ms, sandbox %d ms%n", timeSpawn(local), timeSpawn(sandbox));
            List<Long> localMs = new ArrayList<>();
            List<Long> sandboxMs = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                localMs.add(timeSpawn(local));
                sandboxMs.add(timeSpawn(sandbox));
            }
            long l = median(localMs);
            long s = median(sandboxMs);
            System.out.printf("spawn->ready median of %d: local %d ms, sandbox %d ms, ratio %.2f%n  local %s%n  sandbox %s%n",
                    rounds, l, s, (double) s / l, localMs, sandboxMs);
            // The target is 1.2x; the bound here is loose so a busy 2-core CI box does not fail the build.
            assertTrue(s < l * 2 + 200, "sandbox spawn " + s + " ms vs local " + l + " ms");
        }
    }

    static long timeSpawn(AgentKernel k) {
        long t0 = System.nanoTime();
        SpawnResult r = k.spawner().spawn(SpawnRequest.builder().name("bench").spawnInfo(info(llm).build()).build()).join();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        k.spawner().kill(r.agent().id()).join();
        return ms;
    }

    static long median(List<Long> xs) {
        List<Long> sorted = new ArrayList<>(xs);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
