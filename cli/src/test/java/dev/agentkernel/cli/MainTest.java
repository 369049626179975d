package dev.agentkernel.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing, help, version and error exits of the command line (nothing here starts an agent). */
class MainTest {

    @Test
    void versionNamesTheProjectVersionAndTheJava() {
        CliRun run = CliRun.of("--version");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("agentkernel 0.1.0"), run.out());
        assertTrue(run.out().contains("Java " + Runtime.version().feature()), run.out());
    }

    @Test
    void helpListsEveryCommand() {
        CliRun run = CliRun.of("--help");
        assertEquals(0, run.exitCode());
        for (String cmd : List.of("demo", "example", "fake-llm", "status", "cleanup", "bench", "jshell", "install-kernel", "skill", "mcp")) {
            assertTrue(run.out().contains(cmd), "help lacks " + cmd + ":\n" + run.out());
        }
    }

    @Test
    void skillPrintsSkillMdAsPackaged() throws Exception {
        CliRun run = CliRun.of("skill");
        assertEquals(0, run.exitCode(), run.err());
        Path repo = Path.of(System.getProperty("agentkernel.repo", ".."));
        assertEquals(java.nio.file.Files.readString(repo.resolve("skill/SKILL.md")), run.out());
        assertTrue(run.out().startsWith("---\nname: agentkernel\n"), run.out());
    }

    @Test
    void unknownCommandIsAUsageError() {
        CliRun run = CliRun.of("frobnicate");
        assertEquals(Main.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("frobnicate"), run.err());
    }

    @Test
    void unknownExampleNamesTheChoices() {
        CliRun run = CliRun.of("example", "nope");
        assertEquals(Main.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("unknown example 'nope'; choose one of simple_agent, team_scenario"), run.err());
        assertTrue(run.err().contains(", orchestrator"), run.err());
    }

    @Test
    void exampleWithoutANameIsAUsageError() {
        CliRun run = CliRun.of("example");
        assertEquals(Main.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("Missing required parameter"), run.err());
    }

    @Test
    void exampleNamesAcceptHyphensAndCase() {
        assertEquals(ExampleName.SIMPLE_AGENT, ExampleName.parse("simple-agent"));
        assertEquals(ExampleName.TEAM_SCENARIO, ExampleName.parse("Team_Scenario"));
    }

    @Test
    void missingConfigFileFailsWithItsPathAndNoStackTrace(@TempDir Path tmp) {
        Path missing = tmp.resolve("nope.yaml");
        CliRun run = CliRun.of(Map.of("LLM_API_KEY", "unused-because-it-fails-first"),
                "example", "simple_agent", "--config", missing.toString());
        assertEquals(Main.EXIT_FAILED, run.exitCode());
        assertTrue(run.err().contains("config file " + missing + " does not exist"), run.err());
        assertFalse(run.err().contains("\tat "), "stack trace printed:\n" + run.err());
    }

    @Test
    void badPortFailsWithAClearMessage() {
        CliRun run = CliRun.of("fake-llm", "--port", "70000");
        assertEquals(Main.EXIT_FAILED, run.exitCode());
        assertTrue(run.err().contains("--port must be between 0 and 65535"), run.err());
    }

    @Test
    void unknownBenchSectionListsTheSectionsBeforeStartingAnything() {
        CliRun run = CliRun.of("bench", "--only", "nope");
        assertEquals(Main.EXIT_FAILED, run.exitCode());
        assertTrue(run.err().contains("unknown benchmark section 'nope'; choose from spawn, rss, first-token, throughput"),
                run.err());
    }

    @Test
    void installKernelFlagsAreExclusive() {
        CliRun run = CliRun.of("install-kernel", "--user", "--sys-prefix");
        assertEquals(Main.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("mutually exclusive"), run.err());
    }

    @Test
    void installKernelPassesExactlyTheLocationGiven() {
        assertEquals(List.of("--prefix", "/opt/jupyter"), installArgs("--prefix", "/opt/jupyter"));
        assertEquals(List.of("--user"), installArgs("--user"));
        assertEquals(List.of("--sys-prefix"), installArgs("--sys-prefix"));
        assertEquals(List.of(), installArgs());
        assertEquals(List.of("--user", "--name", "ak2", "--java", "/usr/bin/java"),
                installArgs("--java", "/usr/bin/java", "--user", "--name", "ak2"));
    }

    @Test
    void installKernelTrainsTheAotCacheUnlessNoAot() {
        InstallKernelCommand cmd = new InstallKernelCommand();
        new CommandLine(cmd).parseArgs("--user");
        assertEquals(List.of("--user", "--aot"), cmd.installerArguments());
        InstallKernelCommand optOut = new InstallKernelCommand();
        new CommandLine(optOut).parseArgs("--user", "--no-aot");
        assertEquals(List.of("--user"), optOut.installerArguments());
    }

    private static List<String> installArgs(String... args) {
        InstallKernelCommand cmd = new InstallKernelCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd.arguments();
    }

    @Test
    void jshellHandsEveryArgumentOnUnchanged() {
        CommandLine cli = Main.commandLine(Map.of(), System.out, System.err);
        CommandLine.ParseResult parsed = cli.parseArgs("jshell", "--feedback", "verbose", "script.jsh");
        JShellCommand jshell = parsed.subcommand().commandSpec().commandLine().getCommand();
        assertEquals(List.of("--feedback", "verbose", "script.jsh"), jshell.args);
    }

    @Test
    void stateDirComesFromTheOptionThenAgentkernelHome(@TempDir Path tmp) {
        Main main = new Main(Map.of("AGENTKERNEL_HOME", tmp.toString()), System.out, System.err);
        assertEquals(tmp, main.stateDir(null));
        assertEquals(Path.of("/elsewhere"), main.stateDir(Path.of("/elsewhere")));
        Main noEnv = new Main(Map.of(), System.out, System.err);
        assertEquals(Path.of(System.getProperty("user.home"), ".agentkernel"), noEnv.stateDir(null));
    }

    @Test
    void statusOnAnEmptyStateDirSaysSo(@TempDir Path tmp) {
        CliRun run = CliRun.of(Map.of("AGENTKERNEL_HOME", tmp.toString()), "status");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("No agents recorded in " + tmp), run.out());
    }

    @Test
    void errorMessagesUnwrapFutures() {
        RuntimeException inner = new IllegalStateException("agent abc is gone; spawn a new one");
        assertEquals("agent abc is gone; spawn a new one",
                Main.message(new java.util.concurrent.CompletionException(inner)));
        assertEquals("NullPointerException", Main.message(new NullPointerException()));
    }
}
