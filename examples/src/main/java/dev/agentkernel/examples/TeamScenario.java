package dev.agentkernel.examples;

import dev.agentkernel.AgentKernel;
import dev.agentkernel.ConfigException;
import dev.agentkernel.CreateTeamRequest;
import dev.agentkernel.OpenClawSpawnInfo;
import dev.agentkernel.PackageJob;
import dev.agentkernel.SourceBundle;
import dev.agentkernel.SpawnRequest;
import dev.agentkernel.SpawnResult;
import dev.agentkernel.Team;
import dev.agentkernel.TeamCapacityException;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.concurrent.CompletableFuture;

import static dev.agentkernel.examples.Await.await;

/**
 * The seed's {@code team_scenario}: a team with room for two agents, a researcher and an analyst in it,
 * fan-out/fan-in, a pipeline, a third spawn refused for capacity, then the team deleted. Then the seed's
 * "Image Packaging": a {@code my_helpers} bundle built into a {@code custom-worker} image (a directory on the
 * local backend, an OCI image in the registry on Kubernetes) and a worker spawned from it runs
 * {@code bundles/my_helpers/greet.sh} from its workspace.
 *
 * <pre>bin/agentkernel example team_scenario [--config FILE]</pre>
 */
public final class TeamScenario {
    private TeamScenario() {}

    public static final String TEAM_ID = "analysis-team";
    /** What the bundled {@code my_helpers/greet.sh} prints: proof that the worker really ran the bundle's file. */
    public static final String GREETING = "greet.sh from the my_helpers bundle says hello";

    public static void main(String[] args) {
        KernelOptions.main(args, (kernel, llm) -> run(kernel, llm, System.out));
    }

    /** Runs the example on {@code kernel}, online or offline depending on {@code LLM_API_KEY}. */
    public static void run(AgentKernel kernel, PrintStream out) {
        try (LlmSetup llm = LlmSetup.fromEnvironment(out)) {
            run(kernel, llm, out);
        }
    }

    public static void run(AgentKernel kernel, LlmSetup llm, PrintStream out) {
        boolean teamCreated = false;
        try {
            out.println("== Create a team with capacity for two agents (cpu: 2, each agent takes 1)");
            Team team = await(kernel.spawner().createTeam(new CreateTeamRequest(TEAM_ID, Map.of("cpu", 2))));
            teamCreated = true;
            out.println("Team: " + team.id() + " (cpu " + team.cpu() + ")");

            out.println();
            out.println("== Spawn members");
            SpawnResult researcher = spawn(kernel, llm, "researcher", "You are a research specialist.");
            SpawnResult analyst = spawn(kernel, llm, "analyst", "You are a data analyst.");
            out.println("Spawned: " + researcher.agent().name() + " " + researcher.agent().id());
            out.println("Spawned: " + analyst.agent().name() + " " + analyst.agent().id());

            out.println();
            out.println("== Fan-out / fan-in (both agents work at the same time)");
            CompletableFuture<String> researchTask = kernel.agentClient().askAsync(
                    researcher.agent().id(), researcher.nonce(),
                    llm.prompt("Find papers on quantum error correction.",
                            "[[reply: Found 3 papers: **surface codes** (Fowler 2012), **LDPC codes** (Panteleev 2021),"
                                    + " **cat qubits** (Guillaud 2019).]]"));
            CompletableFuture<String> analysisTask = kernel.agentClient().askAsync(
                    analyst.agent().id(), analyst.nonce(),
                    llm.prompt("Run a cost-benefit analysis of approach X.",
                            "[[bash: echo 'cost=3 benefit=5 ratio=1.67']]"));
            CompletableFuture.allOf(researchTask, analysisTask).join();
            String research = await(researchTask);
            String analysis = await(analysisTask);
            out.println("Research: " + SimpleAgent.firstChars(research, 200));
            out.println("Analysis: " + SimpleAgent.firstChars(analysis, 200));

            out.println();
            out.println("== Pipeline (the researcher's output feeds the analyst)");
            String rawData = kernel.agentClient().ask(researcher.agent().id(), researcher.nonce(),
                    llm.prompt("Gather data on topic X.", "[[reply: data: a=1, b=2, c=3]]"));
            out.println("Raw data: " + SimpleAgent.firstChars(rawData, 200));
            String pipelined = kernel.agentClient().ask(analyst.agent().id(), analyst.nonce(),
                    "Analyze this data:\n" + rawData);
            out.println("Analysis: " + SimpleAgent.firstChars(pipelined, 300));

            out.println();
            out.println("== Capacity: a third agent does not fit");
            try {
                SpawnResult extra = spawn(kernel, llm, "reviewer", "You review analyses.");
                out.println("UNEXPECTED: the team took a third agent " + extra.agent().id());
            } catch (TeamCapacityException e) {
                out.println("TeamCapacityException: " + e.getMessage());
            }

            out.println();
            out.println("== Status");
            SimpleAgent.printStatus(await(kernel.status()), out);

            out.println();
            out.println("== Delete the team (kills its agents first)");
            await(kernel.spawner().deleteTeam(TEAM_ID));
            teamCreated = false;
            out.println("Deleted " + TEAM_ID);

            out.println();
            out.println("== Image packaging: a worker image with a my_helpers bundle");
            packagedWorker(kernel, llm, out);
        } finally {
            if (teamCreated) {
                try {
                    await(kernel.spawner().deleteTeam(TEAM_ID));
                } catch (RuntimeException e) {
                    out.println("(could not delete " + TEAM_ID + ": " + e.getMessage() + ")");
                }
            }
            await(kernel.cleanup());
        }
        out.println("Done: every agent this kernel started is stopped.");
    }

    private static void packagedWorker(AgentKernel kernel, LlmSetup llm, PrintStream out) {
        Path work = null;
        try {
            work = Files.createTempDirectory("agentkernel-my-helpers-");
            Path helpers = Files.createDirectories(work.resolve("my_helpers"));
            Files.writeString(helpers.resolve("greet.sh"), "#!/bin/sh\necho '" + GREETING + "'\n");
            String uri = kernel.blobStore().uploadDir(helpers);
            out.println("Uploaded my_helpers: " + uri);
            PackageJob job;
            try {
                job = await(kernel.packaging().createAgentImage("custom-worker",
                        List.of(new SourceBundle(uri, Map.of("name", "my_helpers")))));
            } catch (ConfigException e) {
                // e.g. backend: kubernetes without registry_url / base_image: the rest of the scenario still ran.
                out.println("Image packaging skipped: " + e.getMessage());
                return;
            }
            if (job.image() == null) {
                out.println("Image build " + job.status() + ": " + job.error());
                return;
            }
            out.println("Image: " + job.image().id() + " " + (job.image().reference() != null ? job.image().reference() : job.image().path()));
            SpawnResult worker = await(kernel.spawner().spawn(SpawnRequest.builder()
                    .name("custom-agent")
                    .agentType("openclaw")
                    .imageId(job.image().id())
                    .spawnInfo(OpenClawSpawnInfo.builder()
                            .systemPrompt("You have custom tools available in bundles/my_helpers/.")
                            .apiKey(llm.apiKey())
                            .baseUrl(llm.baseUrl())
                            .build())
                    .build()));
            out.println("Spawned: " + worker.agent().name() + " " + worker.agent().id() + " from image " + worker.agent().imageId());
            String answer = kernel.agentClient().ask(worker.agent().id(), worker.nonce(),
                    llm.prompt("Run the greet script from your my_helpers bundle (sh bundles/my_helpers/greet.sh) and show its output.",
                            "[[bash: sh bundles/my_helpers/greet.sh]]"));
            out.println("Worker: " + SimpleAgent.firstChars(answer, 300));
            await(kernel.spawner().kill(worker.agent().id()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the my_helpers bundle: " + e.getMessage(), e);
        } finally {
            deleteTree(work);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir; the OS cleans /tmp
        }
    }

    private static SpawnResult spawn(AgentKernel kernel, LlmSetup llm, String name, String systemPrompt) {
        return await(kernel.spawner().spawn(SpawnRequest.builder()
                .name(name)
                .teamId(TEAM_ID)
                .agentType("openclaw")
                .metadata(Map.of("role", name))
                .spawnInfo(OpenClawSpawnInfo.builder()
                        .systemPrompt(systemPrompt)
                        .apiKey(llm.apiKey())
                        .baseUrl(llm.baseUrl())
                        .build())
                .build()));
    }
}
