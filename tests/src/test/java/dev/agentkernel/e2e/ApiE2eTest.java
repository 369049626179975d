package dev.agentkernel.e2e;

import dev.agentkernel.Agent;
import dev.agentkernel.AgentInfo;
import dev.agentkernel.AgentKernel;
import dev.agentkernel.AgentState;
import dev.agentkernel.AgentStatus;
import dev.agentkernel.CreateTeamRequest;
import dev.agentkernel.HistoryEntry;
import dev.agentkernel.OpenClawPlugin;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.PackageJob;
import dev.agentkernel.SourceBundle;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.Team;
import dev.agentkernel.TeamCapacityException;
import dev.agentkernel.TurnRequest;
import dev.agentkernel.TurnResponse;
import dev.agentkernel.TurnStream;
import dev.agentkernel.fakellm.FakeLlmServer;
import dev.agentkernel.fakellm.junit.FakeLlm;
import dev.agentkernel.fakellm.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.agentkernel.e2e.E2e.*;
import static org.junit.jupiter.api.Assertions.*;

/** Every row of shared/api.md against the local backend, the real runner and the scripted LLM server. */
@Timeout(180)
class ApiE2eTest {

    @TempDir static Path tmp;
    @FakeLlm static FakeLlmServer llm;
    @Kernel static AgentKernel kernel;

    @Test
    void spawnAskStreamHistoryInfoStatusKill() throws Exception {
        SpawnResult result = kernel.spawner().spawn(SpawnRequest.builder().name("researcher").agentType("openclaw")
                .metadata(Map.of("role", "research")).spawnInfo(info(llm).build()).build()).join();
        Agent agent = result.agent();
        String nonce = result.nonce();
        assertEquals("researcher", agent.name());
        assertEquals("openclaw", agent.agentType());
        assertEquals(AgentState.RUNNING, agent.state());
        assertEquals(Map.of("role", "research"), agent.metadata());
        assertEquals("", agent.teamId());

        // ask(): the scripted server echoes.
        assertEquals("Echo: What are the latest findings on topic X?", kernel.ask(agent.id(), nonce, "What are the latest findings on topic X?"));
        RecordedRequest sent = llm.requests().getLast();
        assertEquals(KEY, sent.header("x-api-key"));
        assertEquals("You are a test agent.", sent.body().path("system").isTextual() ? sent.body().path("system").asText()
                : sent.body().path("system").get(0).path("text").asText());

        // Manual streaming with a tool call: text, tool_use, tool_result, text, done.
        List<TurnResponse> chunks = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        try (TurnStream stream = kernel.agentClient().turn(TurnRequest.userMessage(agent.id(), nonce, "[[bash: echo hello-from-bash]]"))) {
            for (TurnResponse chunk : stream) {
                chunks.add(chunk);
                if (chunk.body() != null) text.append(chunk.body());
                assertNull(chunk.error(), () -> "unexpected error chunk: " + chunk);
            }
        }
        TurnResponse use = chunks.stream().filter(TurnResponse::isToolUse).findFirst().orElseThrow();
        assertEquals("bash", use.tool());
        assertEquals("echo hello-from-bash", use.toolInput().get("command").asText());
        TurnResponse res = chunks.stream().filter(TurnResponse::isToolResult).findFirst().orElseThrow();
        assertEquals(use.toolId(), res.toolId());
        assertTrue(res.toolOutput().contains("hello-from-bash"), res.toolOutput());
        assertTrue(text.toString().contains("Tool result: hello-from-bash"), text.toString());
        assertTrue(chunks.getLast().done());
        assertEquals("done", chunks.getLast().event());
        assertEquals(1, chunks.stream().filter(c -> c.done() || c.error() != null).count(), "exactly one final chunk");

        // Raw TurnRequest body, as the seed builds it.
        byte[] body = "{\"messages\":[{\"role\":\"user\",\"content\":\"raw body\"}]}".getBytes(StandardCharsets.UTF_8);
        StringBuilder raw = new StringBuilder();
        try (TurnStream s = kernel.agentClient().turn(new TurnRequest(agent.id(), nonce, body))) {
            for (TurnResponse c : s) if (c.body() != null) raw.append(c.body());
        }
        assertEquals("Echo: raw body", raw.toString());

        List<HistoryEntry> last5 = kernel.agentClient().getHistory(agent.id(), 5).join();
        assertEquals(5, last5.size());
        assertEquals("assistant", last5.getLast().role());
        assertEquals("Echo: raw body", last5.getLast().content());
        List<HistoryEntry> all = kernel.agentClient().getHistory(agent.id()).join();
        assertEquals("user", all.getFirst().role());
        assertEquals("What are the latest findings on topic X?", all.getFirst().content());
        assertTrue(all.stream().anyMatch(h -> h.content().contains("[tool_use bash")), all.toString());
        assertTrue(all.size() > 5);

        AgentInfo info = kernel.agentClient().getInfo(agent.id()).join();
        assertEquals(agent.id(), info.agentId());
        assertEquals(pid(kernel, agent.id()), info.pid());
        assertEquals(record(kernel, agent.id()).pid(), info.pid());
        assertEquals(agentDir(kernel, agent.id()).resolve("workspace").toRealPath().toString(), Path.of(info.cwd()).toRealPath().toString());
        assertEquals(Files.getAttribute(tmp, "unix:uid"), (int) info.uid());

        List<AgentStatus> statuses = kernel.status().join();
        AgentStatus st = statuses.stream().filter(s -> s.agentId().equals(agent.id())).findFirst().orElseThrow();
        assertEquals("researcher", st.name());
        assertEquals(AgentState.RUNNING, st.state());
        assertTrue(st.live());
        assertNull(st.podPhase());
        assertEquals(Boolean.TRUE, st.processAlive());

        List<Long> pids = tree(pid(kernel, agent.id()));
        kernel.spawner().kill(agent.id()).join();
        assertAllDead(pids);
        assertTrue(kernel.status().join().stream().noneMatch(s -> s.agentId().equals(agent.id())));
        assertTrue(Files.exists(agentDir(kernel, agent.id()).resolve("history.jsonl")), "kill keeps the history");
        assertFalse(Files.exists(agentDir(kernel, agent.id()).resolve("config.json")), "kill removes the nonce file");
    }

    @Test
    void defaultsFollowTheSeed() {
        OpenClawSpawnInfo d = OpenClawSpawnInfo.builder().build();
        assertEquals("claude-sonnet-4-5", d.model());
        assertEquals("anthropic", d.provider());
        assertEquals(List.of("bash"), d.tools());
        assertEquals("none", d.thinkingLevel());
    }

    @Test
    void openAiProviderWorksThroughTheOtherWireFormat() {
        SpawnResult r = kernel.spawner().spawn(SpawnRequest.builder().name("oai")
                .spawnInfo(OpenClawSpawnInfo.builder().provider("openai").model("gpt-4o").apiKey(KEY).baseUrl(llm.openAiBaseUrl()).build())
                .build()).join();
        try {
            assertEquals("Echo: via openai", kernel.ask(r.agent().id(), r.nonce(), "via openai"));
            assertTrue(llm.requests().stream().anyMatch(q -> q.path().endsWith("/chat/completions")));
        } finally {
            kernel.spawner().kill(r.agent().id()).join();
        }
    }

    @Test
    void thinkingChunksStreamButAskReturnsOnlyTheAnswer() {
        SpawnResult r = kernel.spawner().spawn(SpawnRequest.builder().name("thinker")
                .spawnInfo(info(llm).thinkingLevel("low").build()).build()).join();
        try {
            List<TurnResponse> chunks = new ArrayList<>();
            String answer = kernel.agentClient().ask(r.agent().id(), r.nonce(), "[[think]] ponder", chunks::add);
            assertTrue(chunks.stream().anyMatch(TurnResponse::isThinking), chunks.toString());
            String thinking = chunks.stream().filter(TurnResponse::isThinking).map(TurnResponse::body).reduce("", String::concat);
            assertFalse(thinking.isEmpty());
            assertFalse(answer.contains(thinking), "ask() returns the answer without the thinking: " + answer);
            assertTrue(answer.contains("ponder"), answer);
        } finally {
            kernel.spawner().kill(r.agent().id()).join();
        }
    }

    @Test
    void teamsReserveCapacityAndDeleteKillsMembers() {
        Team team = kernel.spawner().createTeam(new CreateTeamRequest("analysis-team", Map.of("cpu", 2))).join();
        assertEquals(2.0, team.cpu());
        SpawnResult a = kernel.spawner().spawn(SpawnRequest.builder().name("analyst").teamId("analysis-team")
                .spawnInfo(info(llm).build()).build()).join();
        SpawnResult b = kernel.spawner().spawn(SpawnRequest.builder().name("critic").teamId("analysis-team")
                .spawnInfo(info(llm).build()).build()).join();
        assertEquals("analysis-team", a.agent().teamId());
        Throwable full = cause(() -> kernel.spawner().spawn(SpawnRequest.builder().name("third").teamId("analysis-team")
                .spawnInfo(info(llm).build()).build()).join());
        assertInstanceOf(TeamCapacityException.class, full);
        assertTrue(full.getMessage().contains("analysis-team") && full.getMessage().contains("capacity 2 cpu")
                && full.getMessage().contains("in use 2 cpu") && full.getMessage().contains("requested 1 cpu"), full.getMessage());
        Team now = kernel.spawner().teams().stream().filter(t -> t.id().equals("analysis-team")).findFirst().orElseThrow();
        assertEquals(2.0, now.cpuInUse());
        assertEquals(List.of(a.agent().id(), b.agent().id()), now.agentIds());

        List<Long> pids = new ArrayList<>(tree(pid(kernel, a.agent().id())));
        pids.addAll(tree(pid(kernel, b.agent().id())));
        kernel.spawner().deleteTeam("analysis-team").join();
        assertAllDead(pids);
        assertTrue(kernel.spawner().teams().stream().noneMatch(t -> t.id().equals("analysis-team")));
        assertTrue(kernel.spawner().agent(a.agent().id()).map(x -> x.state() == AgentState.STOPPED).orElse(false));
    }

    @Test
    void fanOutWithAskAsyncAndPipeline() {
        SpawnResult researcher = spawn(kernel, "fan-researcher", llm);
        SpawnResult analyst = spawn(kernel, "fan-analyst", llm);
        try {
            CompletableFuture<String> research = kernel.agentClient().askAsync(researcher.agent().id(), researcher.nonce(), "[[slow: 50]] papers on QEC");
            CompletableFuture<String> analysis = kernel.agentClient().askAsync(analyst.agent().id(), analyst.nonce(), "[[slow: 50]] cost-benefit of X");
            CompletableFuture.allOf(research, analysis).join();
            assertTrue(research.join().contains("papers on QEC"), research.join());
            assertTrue(analysis.join().contains("cost-benefit of X"), analysis.join());
            String raw = kernel.ask(researcher.agent().id(), researcher.nonce(), "[[reply: data: 1,2,3]]");
            assertEquals("data: 1,2,3", raw);
            String piped = kernel.ask(analyst.agent().id(), analyst.nonce(), "Analyze this data:\n" + raw);
            assertEquals("Echo: Analyze this data:\ndata: 1,2,3", piped);
        } finally {
            kernel.spawner().kill(researcher.agent().id()).join();
            kernel.spawner().kill(analyst.agent().id()).join();
        }
    }

    @Test
    void bundlesReachTheAgentThroughBlobStoreAndPackaging() throws Exception {
        Path helpers = Files.createDirectories(tmp.resolve("my_helpers"));
        Files.writeString(helpers.resolve("tool.txt"), "bundled-content-42");
        String uri = kernel.blobStore().uploadDir(helpers);
        PackageJob job = kernel.packaging().createAgentImage("custom-worker", List.of(new SourceBundle(uri, Map.of("name", "my_helpers")))).join();
        assertEquals(PackageJob.Status.SUCCEEDED, job.status(), job.error());
        SpawnResult r = kernel.spawner().spawn(SpawnRequest.builder().name("custom-agent").imageId(job.image().id())
                .spawnInfo(info(llm).build()).build()).join();
        try {
            String answer = kernel.ask(r.agent().id(), r.nonce(), "[[bash: cat bundles/my_helpers/tool.txt]]");
            assertTrue(answer.contains("bundled-content-42"), answer);
        } finally {
            kernel.spawner().kill(r.agent().id()).join();
        }
    }

    @Test
    void localFactoryAndCleanupAndClose() {
        try (AgentKernel k = AgentKernel.builder().backend("local").plugin(new OpenClawPlugin()).stateDir(tmp.resolve("k2")).hostEnv(Map.of()).build()) {
            SpawnResult one = spawn(k, "one", llm);
            SpawnResult two = spawn(k, "two", llm);
            List<Long> pids = new ArrayList<>(tree(pid(k, one.agent().id())));
            pids.addAll(tree(pid(k, two.agent().id())));
            k.cleanup().join();
            assertAllDead(pids);
            assertTrue(k.spawner().agents().isEmpty());
            assertTrue(k.status().join().isEmpty());
        }
    }
}
