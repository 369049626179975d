package dev.agentkernel.helpers;

import dev.agentkernel.AgentKernelException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The AgentKernel skill: the document an LLM reads before it writes helpers blocks (skill/SKILL.md at the repository
 * root, packaged in this jar). {@code bin/agentkernel skill} prints it; an MCP server serves it as a resource.
 */
public final class Skill {
    /** Where the jar holds it. */
    public static final String RESOURCE = "agentkernel/SKILL.md";

    private Skill() {}

    /** The whole SKILL.md, front matter included. */
    public static String markdown() {
        try (InputStream in = Skill.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new AgentKernelException(RESOURCE + " is not in the agentkernel-helpers jar on the class path;"
                        + " rebuild it (mvn -pl helpers/jshell package) or read skill/SKILL.md from the repository");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE + " from the class path", e);
        }
    }
}
