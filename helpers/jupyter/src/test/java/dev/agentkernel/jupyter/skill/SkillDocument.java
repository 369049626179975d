package dev.agentkernel.jupyter.skill;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * skill/SKILL.md read the way the skill tests need it: its front matter, its section headings and its
 * {@code <helpers>} blocks in order, each with the backend it needs ({@code <!-- requires: bwrap -->} on the
 * line before the block) or none.
 */
record SkillDocument(Map<String, String> frontMatter, List<String> sections, List<Block> blocks) {
    /** One {@code <helpers>} block: the Java, the line of its opening tag, and what it needs to run (or null). */
    record Block(int line, String code, String requires) {
    }

    private static final Pattern BLOCK = Pattern.compile("<helpers>(.*?)</helpers>", Pattern.DOTALL);
    private static final Pattern REQUIRES = Pattern.compile("<!--\\s*requires:\\s*([a-z0-9-]+)\\s*-->\\s*$");

    static SkillDocument parse(String markdown) {
        if (!markdown.startsWith("---\n")) throw new IllegalArgumentException("SKILL.md must start with '---' front matter");
        int end = markdown.indexOf("\n---\n", 4);
        if (end < 0) throw new IllegalArgumentException("SKILL.md front matter has no closing '---'");
        Map<String, String> front = frontMatter(markdown.substring(4, end));
        String body = markdown.substring(end + 5);
        int bodyLine = lineOf(markdown, end + 5);

        List<String> sections = new ArrayList<>();
        boolean fenced = false;
        for (String line : body.lines().toList()) {
            if (line.startsWith("```")) fenced = !fenced;
            if (!fenced && line.startsWith("## ")) sections.add(line.substring(3).strip());
        }
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(body);
        while (m.find()) {
            String before = body.substring(0, m.start()).stripTrailing();
            String lastLine = before.substring(before.lastIndexOf('\n') + 1);
            Matcher requires = REQUIRES.matcher(lastLine);
            blocks.add(new Block(bodyLine + lineOf(body, m.start()) - 1, m.group(1),
                    requires.find() ? requires.group(1) : null));
        }
        return new SkillDocument(front, List.copyOf(sections), List.copyOf(blocks));
    }

    /** The YAML keys as dotted paths ({@code metadata.version}); folded values ({@code >}) joined by spaces. */
    private static Map<String, String> frontMatter(String yaml) {
        Map<String, String> values = new LinkedHashMap<>();
        String parent = null;
        String folding = null;
        for (String line : yaml.lines().toList()) {
            if (line.isBlank()) continue;
            int indent = line.length() - line.stripLeading().length();
            String text = line.strip();
            if (folding != null && indent > 0 && !text.matches("[A-Za-z_-]+:.*")) {
                values.merge(folding, text, (a, b) -> a.isEmpty() ? b : a + " " + b);
                continue;
            }
            folding = null;
            int colon = text.indexOf(':');
            if (colon < 0) throw new IllegalArgumentException("front matter line is not 'key: value': " + line);
            String key = text.substring(0, colon).strip();
            String value = text.substring(colon + 1).strip();
            if (indent == 0) parent = key;
            String path = indent == 0 ? key : parent + "." + key;
            if (value.equals(">") || value.equals("|")) {
                folding = path;
                values.put(path, "");
            } else if (!value.isEmpty()) {
                values.put(path, value.replaceAll("^\"|\"$", ""));
            }
        }
        return values;
    }

    private static int lineOf(String text, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) if (text.charAt(i) == '\n') line++;
        return line;
    }
}
