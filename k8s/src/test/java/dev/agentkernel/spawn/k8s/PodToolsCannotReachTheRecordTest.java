package dev.agentkernel.spawn.k8s;

import dev.agentkernel.AgentBusConfig;
import dev.agentkernel.HistoryEntry;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.client.HttpAgentClient;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.fakellm.junit.FakeLlm;
import dev.agentkernel.spawn.NonceVault;
import dev.agentkernel.spawn.PluginRegistry;
import dev.agentkernel.spawn.k8s.testing.ProcessKubelet;
import dev.agentkernel.spawn.k8s.testing.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 12.2 on Kubernetes: the model's bash tool runs in the pod's tools container, which has the workspace but not
 * the runner's record. Through the test cluster (whose kubelet runs each container as its own process, the tools one
 * in a bubblewrap that shows only its own mounts and its own /proc), a scripted bash call tries to read config.json,
 * truncate and append to history.jsonl and agentbus.jsonl, by the container paths, the old in-workspace path and the
 * runner's real paths on this machine, and to find the nonce in any process's environment; it reaches none of them,
 * while the turn works and the history keeps every turn. And the tools container ends with the runner.
 */
class PodToolsCannotReachTheRecordTest {
    /** The runner module's ToolServer.EXIT_RUNNER_GONE (this module does not depend on the runner's classes). */
    static final int EXIT_RUNNER_GONE = 3;
    static TestCluster cluster;
    @FakeLlm
    static FakeLlmServer llm;

    @BeforeAll
    static void start() {
        assumeTrue(ProcessKubelet.isolatesContainers(), "needs bwrap to give the test kubelet's containers their own mounts");
        cluster = TestCluster.start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    void theBashToolFindsNoRecordWhileTheTurnsAreRecorded() throws Exception {
        NonceVault vault = new NonceVault();
        try (KubernetesClient client = cluster.kernelClient()) {
            KubernetesBackend backend = new KubernetesBackend(KubernetesBackendTest.settings(false, Access.DIRECT), client, false,
                    new PluginRegistry(List.of(new OpenClawPlugin())), vault);
            try (HttpAgentClient agents = new HttpAgentClient(backend, vault)) {
                SpawnResult r = backend.spawn(SpawnRequest.builder().name("prober")
                        .spawnInfo(OpenClawSpawnInfo.builder().baseUrl(llm.anthropicBaseUrl()).apiKey("test-key-0123456789").build())
                        .agentbus(AgentBusConfig.builder().port(0).disableSafety(true).build())
                        .build()).join();
                String id = r.agent().id();
                String pod = backend.podName(id).orElseThrow();
                assertEquals("Echo: first", agents.ask(id, r.nonce(), "first"));

                Path state = cluster.kubelet().runnerState(pod).orElseThrow();
                Path config = cluster.kubelet().runnerConfig(pod).orElseThrow();
                Path workspace = cluster.kubelet().workspace(pod).orElseThrow();
                Path history = state.resolve("history.jsonl");
                Path busLog = state.resolve("agentbus.jsonl");
                assertTrue(Files.exists(history) && Files.exists(busLog), "the runner keeps its record in its own volume: " + state);
                assertFalse(Files.exists(workspace.resolve(".agentkernel")), "no record in the workspace any more");
                long historyLines = Files.readAllLines(history).size();
                long busLines = Files.readAllLines(busLog).size();

                List<String> records = List.of(history.toString(), busLog.toString(),
                        AgentObjects.STATE_DIR + "/history.jsonl", AgentObjects.STATE_DIR + "/agentbus.jsonl",
                        ".agentkernel/history.jsonl", ".agentkernel/agentbus.jsonl");
                StringBuilder probe = new StringBuilder();
                for (String f : List.of(config.toString(), AgentObjects.CONFIG_PATH)) {
                    probe.append("cat '").append(f).append("' >/dev/null 2>&1 && echo READ:").append(f).append("; ");
                }
                for (String f : records) {
                    // -c and [ -e ]: never create a file on this machine where the path is not there
                    probe.append("[ -e '").append(f).append("' ] && echo SEES:").append(f).append("; ");
                    probe.append("truncate -c -s0 '").append(f).append("' 2>/dev/null && [ -e '").append(f).append("' ] && echo TRUNCATED:").append(f).append("; ");
                    probe.append("[ -e '").append(f).append("' ] && (echo \"{\\\"role\\\":\\\"user\\\",\\\"content\\\":\\\"$(printf FOR)GED-LINE\\\"}\" >> '").append(f)
                            .append("') 2>/dev/null && echo APPENDED:").append(f).append("; ");
                }
                probe.append("grep -l AGENTKERNEL_NONCE /proc/[0-9]*/environ 2>/dev/null | sed 's/^/NONCE-IN:/'; ");
                probe.append("echo tool-was-here > from-the-tool.txt; echo probe-done");
                String reply = agents.ask(id, r.nonce(), "[[bash: " + probe + "]]");
                String result = reply.substring(reply.indexOf("Tool result: "));
                assertTrue(result.contains("probe-done"), "the command ran: " + reply);
                for (String verdict : List.of("READ:", "SEES:", "TRUNCATED:", "APPENDED:", "NONCE-IN:")) {
                    assertFalse(result.contains(verdict), "the tool reached the runner's record: " + result);
                }
                assertFalse(result.contains(r.nonce()), "the tool saw the nonce: " + result);
                assertEquals("tool-was-here\n", Files.readString(workspace.resolve("from-the-tool.txt")), "the workspace is shared");

                // The record grew by these turns and lost nothing.
                assertEquals("Echo: after", agents.ask(id, r.nonce(), "after"));
                List<HistoryEntry> entries = agents.getHistory(id, 0).join();
                assertTrue(entries.size() >= 6, entries.toString());
                // (built by printf in the command, so the command's own text in the history does not contain it)
                assertFalse(entries.toString().contains("FORGED-LINE"), entries.toString());
                assertTrue(Files.readAllLines(history).size() > historyLines, "history appended to");
                assertTrue(Files.readAllLines(busLog).size() > busLines, "the AgentBus log appended to");
                assertFalse(Files.readString(history).contains("FORGED-LINE"));
                assertFalse(Files.readString(busLog).contains("FORGED-LINE"));
                // The numbers behind PodLimits' split (printed, not asserted: they vary with the JDK and the machine).
                System.out.println("resident after 3 turns: runner " + rssMiB(cluster.kubelet().process(pod).orElseThrow()) + " MiB, tools server "
                        + cluster.kubelet().toolsProcess(pod).orElseThrow().descendants().mapToLong(PodToolsCannotReachTheRecordTest::rssMiB).sum() + " MiB");
            } finally {
                backend.cleanup().join();
                backend.close();
            }
        }
        KubernetesBackendTest.waitFor(() -> cluster.leftovers().isEmpty(), "nothing left: " + cluster.leftovers());
    }

    @Test
    void theToolsContainerEndsWithItsRunner() throws Exception {
        NonceVault vault = new NonceVault();
        try (KubernetesClient client = cluster.kernelClient()) {
            KubernetesBackend backend = new KubernetesBackend(KubernetesBackendTest.settings(false, Access.DIRECT), client, false,
                    new PluginRegistry(List.of(new OpenClawPlugin())), vault);
            try (HttpAgentClient agents = new HttpAgentClient(backend, vault)) {
                for (boolean clean : List.of(true, false)) {
                    SpawnResult r = backend.spawn(SpawnRequest.builder().name(clean ? "ends-cleanly" : "crashes")
                            .spawnInfo(OpenClawSpawnInfo.builder().baseUrl(llm.anthropicBaseUrl()).apiKey("test-key").build()).build()).join();
                    String id = r.agent().id();
                    String pod = backend.podName(id).orElseThrow();
                    String reply = agents.ask(id, r.nonce(), "[[bash: echo from-the-tools-container]]");
                    assertTrue(reply.contains("from-the-tools-container"), reply);
                    ProcessHandle runner = cluster.kubelet().process(pod).orElseThrow();
                    ProcessHandle tools = cluster.kubelet().toolsProcess(pod).orElseThrow();
                    assertTrue(tools.isAlive());
                    long t0 = System.nanoTime();
                    // SIGTERM: the runner exits 0 and says bye; SIGKILL: its connection just ends
                    if (clean) runner.destroy(); else runner.destroyForcibly();
                    tools.onExit().get(20, TimeUnit.SECONDS);
                    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                    System.out.println("tools container exited " + ms + " ms after its runner was " + (clean ? "stopped" : "killed"));
                    assertFalse(tools.isAlive(), "the tools container exits with its runner");
                    int code = exitCode(pod);
                    assertEquals(clean ? 0 : EXIT_RUNNER_GONE, code,
                            "0 after the runner's bye (the pod can complete), non-zero after a crash (restarted with the runner)");
                    var spec = cluster.admin().pods().inNamespace(TestCluster.NAMESPACE).withName(pod).get().getSpec();
                    if (clean && "OnFailure".equals(spec.getRestartPolicy())) {
                        KubernetesBackendTest.waitFor(() -> "Succeeded".equals(phase(pod)), "the pod completes: " + phase(pod));
                    }
                }
            } finally {
                backend.cleanup().join();
                backend.close();
            }
        }
        KubernetesBackendTest.waitFor(() -> cluster.leftovers().isEmpty(), "nothing left: " + cluster.leftovers());
    }

    private static long rssMiB(ProcessHandle p) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024).findFirst().orElse(0);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static int exitCode(String pod) {
        return cluster.kubelet().toolsExitCode(pod).orElseThrow();
    }

    private static String phase(String pod) {
        var p = cluster.admin().pods().inNamespace(TestCluster.NAMESPACE).withName(pod).get();
        return p == null || p.getStatus() == null ? null : p.getStatus().getPhase();
    }
}
