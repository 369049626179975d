package dev.agentkernel.e2e;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.fakellm.junit.FakeLlm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.agentkernel.e2e.E2e.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The red-team findings of issue 12 against the sandbox backend, re-run through a real agent's {@code bash} tool
 * (scripted LLM, real runner under bubblewrap). This JVM runs as whatever user runs the suite: root in CI and here.
 * {@code kernel/.../SandboxProcSysTest} probes the same as an ordinary user.
 */
@Timeout(300)
class SandboxHardeningE2eTest {

    @FakeLlm static FakeLlmServer llm;
    @Kernel(value = "sandboxKernel", in = SandboxE2eTest.class) static AgentKernel kernel;
    static SpawnResult agent;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")), "these tests need bubblewrap: apt-get install -y bubblewrap");
        agent = spawn(kernel, "probe", llm);
    }

    /** Opens every /proc/sys file (and the other write-through files) for appending, which writes nothing; counts those that open. */
    static final String PROBE_PROC = "echo uid=$(id -u); n=0; w=0; bad=''; "
            + "for f in $(find /proc/sys -type f 2>/dev/null) /proc/sysrq-trigger /proc/sys/fs/binfmt_misc/register; do "
            + "[ -e \"$f\" ] || continue; n=$((n+1)); "
            + "if ( exec 3>>\"$f\" ) 2>/dev/null; then w=$((w+1)); bad=\"$bad $f\"; fi; done; "
            + "echo probed=$n writable=$w; echo \"first:${bad:0:300}\"; "
            + "echo 1 > /proc/sys/vm/drop_caches && echo DROP_CACHES_WRITTEN; "
            + "cat /proc/sys/kernel/core_pattern > /proc/sys/kernel/core_pattern && echo CORE_PATTERN_WRITTEN; "
            + "echo b > /proc/sysrq-trigger && echo SYSRQ_WRITTEN; "
            + "unshare -Ur true 2>/dev/null && echo NEW_USERNS; echo done";

    @Test
    void noProcSysFileIsWritableFromTheBashToolAndTheAgentIsNotRoot() {
        String out = SandboxE2eTest.bashOn(kernel, agent, PROBE_PROC);
        Matcher uid = Pattern.compile("uid=(\\d+)").matcher(out);
        assertTrue(uid.find(), out);
        assertNotEquals("0", uid.group(1), "the agent's uid inside: " + out);
        Matcher counts = Pattern.compile("probed=(\\d+) writable=(\\d+)").matcher(out);
        assertTrue(counts.find(), out);
        assertTrue(Integer.parseInt(counts.group(1)) > 300, "the probe saw /proc/sys: " + out);
        assertEquals("0", counts.group(2), "writable /proc files: " + out);
        assertFalse(out.contains("DROP_CACHES_WRITTEN") || out.contains("CORE_PATTERN_WRITTEN") || out.contains("SYSRQ_WRITTEN"), out);
        assertFalse(out.contains("NEW_USERNS"), "tools may not make user namespaces of their own: " + out);
        assertTrue(out.contains("done"), out);
    }

    @Test
    void theRunnerItselfIsNotHostRoot() throws Exception {
        long pid = pid(kernel, agent.agent().id());
        // The runner is the java process below bwrap; look at every process of the sandbox from the host.
        var java = ProcessHandle.of(pid).orElseThrow().descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false)).findFirst();
        assertTrue(java.isPresent(), "the runner runs below bwrap " + pid);
        String status = Files.readString(Path.of("/proc", Long.toString(java.get().pid()), "status"));
        Matcher uid = Pattern.compile("Uid:\\s+(\\d+)\\s+(\\d+)").matcher(status);
        assertTrue(uid.find(), status);
        assertNotEquals("0", uid.group(1), "the runner's real uid on the host");
        assertNotEquals("0", uid.group(2), "the runner's effective uid on the host");
    }

    /**
     * Issue 12 point 2: the agent's tools cannot rewrite the runner's record. Every way the red team used (truncate,
     * append, replace, rename) and the indirect ones (hard and symbolic links from the workspace, the runner's open
     * descriptors under /proc/PID/fd, its mounts under /proc/PID/root) fail, and the runner goes on recording turns.
     */
    @Test
    void theToolsCannotRewriteTheHistoryOrTheAgentBusLog() throws Exception {
        SpawnResult bus = kernel.spawner().spawn(dev.agentkernel.SpawnRequest.builder().name("recorded").spawnInfo(info(llm).build())
                .agentbus(dev.agentkernel.AgentBusConfig.builder().port(0).disableSafety(true).build()).build()).join();
        // The gate off: the sandbox is the boundary being tested (the gate would stop these spellings first).
        Path dir = agentDir(kernel, bus.agent().id());
        SandboxE2eTest.bashOn(kernel, bus, "echo first turn");
        String historyBefore = Files.readString(dir.resolve("history.jsonl"));
        String busBefore = Files.readString(dir.resolve("agentbus.jsonl"));
        assertFalse(historyBefore.isEmpty() || busBefore.isEmpty(), "the runner recorded the first turn");
        StringBuilder attack = new StringBuilder();
        for (String name : new String[] {"history.jsonl", "agentbus.jsonl"}) {
            String f = dir.resolve(name).toString();
            attack.append(": > ").append(f).append(" && echo TRUNCATED-").append(name).append("; ")
                    .append("echo '{\"role\":\"user\"}' >> ").append(f).append(" && echo APPENDED-").append(name).append("; ")
                    .append("cp /dev/null ").append(f).append(" && echo REPLACED-").append(name).append("; ")
                    .append("mv ").append(f).append(" ").append(f).append(".gone && echo RENAMED-").append(name).append("; ")
                    .append("ln ").append(f).append(" hard-").append(name).append(" && echo HARDLINKED-").append(name).append("; ")
                    .append("ln -sf ").append(f).append(" sym-").append(name).append(" && echo x >> sym-").append(name)
                    .append(" && echo VIA-SYMLINK-").append(name).append("; ")
                    .append("cat ").append(f).append(" > /dev/null 2>&1 && echo READABLE-").append(name).append("; ");
        }
        // the runner's descriptors and root, whatever pid it has: every process the tool can see
        attack.append("for p in /proc/[0-9]*; do for fd in $p/fd/*; do case $(readlink $fd 2>/dev/null) in *.jsonl) ")
                .append("echo x >> $fd && echo VIA-FD-$fd;; esac; done; ")
                .append("echo x >> $p/root").append(dir.resolve("history.jsonl")).append(" 2>/dev/null && echo VIA-ROOT-$p; done; ")
                .append("cat ").append(dir.resolve("config.json")).append(" > /dev/null 2>&1 && echo CONFIG-READABLE; ")
                .append("echo procs=$(ls -d /proc/[0-9]* | wc -l); echo attack-done");
        String out = SandboxE2eTest.bashOn(kernel, bus, attack.toString());
        assertTrue(out.contains("attack-done"), out);
        for (String marker : new String[] {"TRUNCATED", "APPENDED", "REPLACED", "RENAMED", "HARDLINKED", "VIA-SYMLINK", "READABLE",
                "VIA-FD", "VIA-ROOT", "CONFIG-READABLE"}) {
            assertFalse(out.contains(marker), marker + " got through: " + out);
        }
        String historyAfter = Files.readString(dir.resolve("history.jsonl"));
        String busAfter = Files.readString(dir.resolve("agentbus.jsonl"));
        assertTrue(historyAfter.startsWith(historyBefore), "the history only grew");
        assertTrue(busAfter.startsWith(busBefore), "the bus log only grew");
        assertFalse(historyAfter.substring(historyBefore.length()).contains("{\"role\":\"user\"}\n"), "no forged line");
        // ... and the runner still appends: this turn's messages are there
        assertTrue(historyAfter.length() > historyBefore.length() && historyAfter.contains("attack-done"), "the runner recorded the turn");
        assertTrue(busAfter.length() > busBefore.length(), "the runner logged the turn on the bus");
        kernel.spawner().kill(bus.agent().id()).join();
    }

    /**
     * Issue 12 point 8: through the egress proxy the LLM endpoint answers only the provider's API paths; another path
     * of the same host:port gets 403 naming the rule, and the API path still reaches the model server.
     */
    @Test
    void theEgressProxyAllowsOnlyTheProvidersApiPathsOnTheLlmEndpoint() {
        String base = llm.anthropicBaseUrl();
        String curl = "curl -s --max-time 10 --noproxy '' --proxy \"$http_proxy\" ";
        String out = SandboxE2eTest.bashOn(kernel, agent, curl + base + "/_requests; echo; "
                + curl + "-o /dev/null -w 'api=%{http_code}' -X POST -H 'content-type: application/json' -d '{}' " + base + "/v1/messages");
        assertTrue(out.contains("403") || out.contains("may not reach"), out);
        assertTrue(out.contains("LLM endpoint API paths"), "the refusal names the rule: " + out);
        java.util.regex.Matcher api = Pattern.compile("api=(\\d+)").matcher(out);
        assertTrue(api.find(), out);
        assertNotEquals("403", api.group(1), "the API path passes the proxy (the model server answers it): " + out);
        assertFalse(out.contains("\"method\""), "the LLM server's request log was not served: " + out);
    }
}
