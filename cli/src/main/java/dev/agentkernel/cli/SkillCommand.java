package dev.agentkernel.cli;

import dev.agentkernel.helpers.Skill;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** Prints the skill so an LLM host can install it. */
@Command(name = "skill", mixinStandardHelpOptions = true,
        description = {"Print the AgentKernel skill (SKILL.md) that teaches an LLM to write helpers blocks,",
                "e.g. bin/agentkernel skill > ~/.claude/skills/agentkernel/SKILL.md"})
final class SkillCommand implements Callable<Integer> {

    @ParentCommand Main main;

    @Override
    public Integer call() {
        // The file's bytes, UTF-8 whatever the locale: under LANG=C a PrintStream would turn its dashes into '?'.
        main.out().writeBytes(Skill.markdown().getBytes(StandardCharsets.UTF_8));
        main.out().flush();
        return 0;
    }
}
