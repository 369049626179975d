package dev.agentkernel.jupyter.skill;

import dev.agentkernel.helpers.Helpers;
import dev.agentkernel.helpers.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * skill/SKILL.md can never drift from the code: every {@code <helpers>} block runs, in order, in ONE session of the
 * cell engine (the notebook kernel's JShell session, helpers preloaded), offline against the scripted LLM the skill
 * itself starts. A compile error or an exception in any block fails the test, naming the block's line.
 * Blocks marked {@code <!-- requires: bwrap -->} run where bubblewrap works and {@code <!-- requires: kubernetes -->}
 * where {@code AGENTKERNEL_SKILL_KUBERNETES=1} says a cluster is configured; elsewhere they are only compiled.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class SkillTest {
    static final String RESOURCE = "agentkernel/SKILL.md";
    private final String originalHome = System.getProperty("user.home");

    @AfterEach
    void restore() {
        System.setProperty("user.home", originalHome);
        Helpers.useLlm(null, null);
        Session.closeAll();
    }

    static String packagedSkill() throws IOException {
        try (InputStream in = SkillTest.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            assertNotNull(in, RESOURCE + " is not on the class path: the helpers jar must package skill/SKILL.md");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void thePackagedSkillIsTheRepositoryFile() throws IOException {
        Path file = Path.of(System.getProperty("agentkernel.skill.file", "../../skill/SKILL.md"));
        assertEquals(Files.readString(file), packagedSkill());
    }

    @Test
    void hasTheSeedsFrontMatterAndSections() throws IOException {
        SkillDocument skill = SkillDocument.parse(packagedSkill());
        assertEquals("agentkernel", skill.frontMatter().get("name"));
        assertTrue(skill.frontMatter().getOrDefault("description", "").contains("Spawn and orchestrate"), skill.frontMatter().toString());
        assertTrue(skill.frontMatter().getOrDefault("metadata.version", "").matches("\\d+\\.\\d+(\\.\\d+)?"), skill.frontMatter().toString());
        // the seed's sections, in the seed's order
        List<String> seed = List.of("AgentKernel vs `agents` Skill", "Core Concepts", "Initialization", "API", "Teams",
                "AgentBus", "Patterns", "Lifecycle", "Operations");
        assertEquals(seed, skill.sections());
        assertTrue(skill.blocks().size() >= 17, "every seed snippet has its block: " + skill.blocks().size());
        for (var block : skill.blocks()) {
            assertFalse(block.code().contains("import "), "line " + block.line() + ": the session preloads the imports");
        }
    }

    @Test
    void everyBlockRunsInOneSessionAgainstTheScriptedLlm(@TempDir Path home) throws Exception {
        assumeTrue(System.getenv("AGENTKERNEL_HOME") == null, "AGENTKERNEL_HOME would put the agents outside the temp dir");
        assumeTrue(Files.isRegularFile(Path.of(System.getProperty("agentkernel.runner.jar", ""))), "the runner is not built");
        System.setProperty("user.home", home.toString()); // the default state dir ~/.agentkernel: this run's own

        SkillDocument skill = SkillDocument.parse(packagedSkill());
        StringBuilder printed = new StringBuilder();
        List<String> compiledOnly = new ArrayList<>();
        try (HelpersSession session = new HelpersSession()) {
            for (var block : skill.blocks()) {
                boolean runs = block.requires() == null || available(block.requires());
                String code = runs ? block.code() : compileOnly(block);
                if (!runs) compiledOnly.add("line " + block.line() + " (" + block.requires() + ")");
                try {
                    printed.append(session.run(code).text());
                } catch (HelpersSession.BlockFailedException e) {
                    fail("skill/SKILL.md block at line " + block.line() + " failed:\n" + e.getMessage()
                            + "\n--- the block:\n" + block.code());
                }
            }
        }
        System.out.println("SKILL.md output:\n" + printed + "\ncompiled only: " + compiledOnly);
        String out = printed.toString();
        assertTrue(out.contains("Echo: What are the latest findings on topic X?"), "ask answered:\n" + out);
        assertTrue(out.contains("blocked by the AgentBus safety gate"), "the gate refused the credential read:\n" + out);
        assertTrue(out.contains("rejected it (no writes today)"), "the person's reject reached the agent:\n" + out);
        assertTrue(out.contains("Tool result: 0"), "the approved ls | wc -l ran in the empty workspace:\n" + out);
        assertTrue(out.contains("hello from my_helpers"), "the packaged bundle ran in the agent's workspace:\n" + out);
        assertTrue(out.contains("Echo: When is the launch?"), "the re-attached detached agent answered:\n" + out);
        if (available("bwrap")) assertTrue(out.contains("lo"), "the sandboxed agent listed its interfaces:\n" + out);
        assertNoRunnerLeft(home);
    }

    /** A skill block that no longer matches the API fails the run (what keeps the skill from drifting). */
    @Test
    void aBlockThatDoesNotCompileOrThrowsFailsTheRun() throws Exception {
        try (HelpersSession session = new HelpersSession()) {
            var renamed = assertThrows(HelpersSession.BlockFailedException.class,
                    () -> session.run("<helpers>\nvar k = AgentKernel.lokal(new OpenClawPlugin());\n</helpers>"));
            assertTrue(renamed.getMessage().startsWith("CompileError"), renamed.getMessage());
            var thrown = assertThrows(HelpersSession.BlockFailedException.class,
                    () -> session.run("<helpers>\nawait(AgentKernel.local().spawner().kill(\"no-such-agent\"));\n</helpers>"));
            assertFalse(thrown.getMessage().startsWith("CompileError"), thrown.getMessage());
            var notRun = SkillDocument.parse("---\nname: x\n---\n<!-- requires: kubernetes -->\n<helpers>\nint y = \"no\";\n</helpers>\n");
            assertThrows(HelpersSession.BlockFailedException.class, () -> session.run(compileOnly(notRun.blocks().get(0))),
                    "a block compiled but not run still fails on a compile error");
        }
    }

    /** Declares the block's code as an uncalled lambda: javac checks it against the API, nothing runs. */
    static String compileOnly(SkillDocument.Block block) {
        return "java.util.concurrent.Callable<Object> skillCompileOnlyLine" + block.line() + " = () -> {\n"
                + block.code() + "\nreturn null;\n};";
    }

    static boolean available(String backend) {
        return switch (backend.toLowerCase(Locale.ROOT)) {
            case "bwrap" -> bubblewrapWorks();
            case "kubernetes" -> "1".equals(System.getenv("AGENTKERNEL_SKILL_KUBERNETES"));
            default -> throw new IllegalArgumentException("unknown requirement '" + backend
                    + "' in skill/SKILL.md: use <!-- requires: bwrap --> or <!-- requires: kubernetes -->");
        };
    }

    private static boolean bubblewrapWorks() {
        if (!Files.isExecutable(Path.of("/usr/bin/bwrap"))) return false;
        try {
            Process p = new ProcessBuilder("/usr/bin/bwrap", "--ro-bind", "/", "/", "--unshare-net", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** No process whose command line names this run's state dir (runners, bubblewrap) outlives the skill. */
    static void assertNoRunnerLeft(Path home) throws InterruptedException {
        String marker = home.toString();
        List<String> left = List.of();
        for (int i = 0; i < 100; i++) {
            left = ProcessHandle.allProcesses()
                    .filter(p -> p.isAlive() && p.info().commandLine().orElse("").contains(marker))
                    .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
                    .toList();
            if (left.isEmpty()) return;
            Thread.sleep(100);
        }
        fail("processes of the skill's agents are still running: " + left);
    }
}
