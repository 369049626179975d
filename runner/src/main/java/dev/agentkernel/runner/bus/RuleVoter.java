package dev.agentkernel.runner.bus;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in voter: rejects a bash command that matches a known-dangerous pattern (docs/agentbus.md lists
 * them) and abstains otherwise, since a list of bad patterns cannot vouch that a command is safe. Pattern
 * matching is a tripwire against an agent's mistakes, not a sandbox against a determined attacker.
 */
public final class RuleVoter implements Voter {
    public static final String NAME = "rules";

    /** A named pattern; {@code reason} is what the agent and the audit log are told. */
    public record Rule(String name, Pattern pattern, String reason) {
        static Rule of(String name, String regex, String reason) {
            return new Rule(name, Pattern.compile(regex, Pattern.CASE_INSENSITIVE), reason);
        }
    }

    private static final String END = "(?=$|[\\s;&|)'\"])";
    private static final String RECURSIVE = "(?:-[a-z]*r[a-z]*|-[a-z]*R[a-z]*|--recursive)";
    private static final String HOME = "(?:~|~/|~/\\*|\\$HOME|\\$\\{HOME\\}|\"\\$HOME\"|\\$HOME/|\\$HOME/\\*|/home|/home/[^\\s/;&|]+/?|/root/?)";
    private static final String SYSTEM_ROOTS = "(?:/|/\\*|/(?:bin|boot|dev|etc|lib|lib64|opt|proc|sbin|srv|sys|usr|var)/?)";

    public static final List<Rule> RULES = List.of(
            Rule.of("rm-root", "\\brm\\s+(?:\\S+\\s+)*?(?:" + RECURSIVE + "\\s+(?:\\S+\\s+)*?)" + SYSTEM_ROOTS + END
                    + "|\\brm\\b.*--no-preserve-root",
                    "it deletes the root file system or a system directory"),
            Rule.of("rm-home", "\\brm\\s+(?:\\S+\\s+)*?" + RECURSIVE + "\\s+(?:\\S+\\s+)*?" + HOME + END,
                    "it deletes the home directory"),
            Rule.of("credential-read",
                    "(?:~|\\$HOME|\\$\\{HOME\\}|/home/[^/\\s]+|/root)?/?\\.ssh(?:/|\\b)|\\bid_(?:rsa|dsa|ecdsa|ed25519)\\b"
                            + "|\\.aws/credentials|/etc/(?:shadow|gshadow|sudoers)\\b|\\.netrc\\b|\\.git-credentials\\b"
                            + "|\\.docker/config\\.json|\\.kube/config\\b|\\.gnupg\\b",
                    "it touches a credential file (SSH keys, cloud or registry credentials, /etc/shadow, .netrc)"),
            Rule.of("download-to-shell",
                    "\\b(?:curl|wget|fetch)\\b[^|;&]*\\|\\s*(?:sudo\\s+)?(?:env\\s+)?(?:ba|z|da|k|c|tc|fi)?sh\\b"
                            + "|\\b(?:curl|wget)\\b[^|;&]*\\|\\s*(?:sudo\\s+)?(?:python[0-9.]*|perl|ruby|node)\\b"
                            + "|\\b(?:ba|z)?sh\\s+<\\(\\s*(?:curl|wget)\\b|\\beval\\s+[\"']?\\$\\(\\s*(?:curl|wget)\\b"
                            + "|\\b(?:ba|z)?sh\\s+-c\\s+[\"']?\\$\\(\\s*(?:curl|wget)\\b",
                    "it pipes a download into a shell or interpreter (download the file, read it, then run it)"),
            Rule.of("fork-bomb", "(\\S+)\\s*\\(\\)\\s*\\{\\s*\\1\\s*\\|\\s*\\1\\s*&\\s*\\}",
                    "it is a fork bomb"),
            Rule.of("mkfs", "\\bmkfs(?:\\.\\w+)?\\b|\\bmke2fs\\b|\\bwipefs\\b",
                    "it formats a file system"),
            Rule.of("raw-device-write", "\\bdd\\b[^;&|]*\\bof=/dev/(?!null\\b|zero\\b|stdout\\b|stderr\\b)"
                            + "|>\\s*/dev/(?:sd|hd|nvme|vd|xvd|mmcblk|disk)",
                    "it writes to a raw block device"),
            Rule.of("recursive-chmod-root", "\\b(?:chmod|chown|chgrp)\\s+(?:\\S+\\s+)*?" + RECURSIVE + "\\s+(?:\\S+\\s+)*?"
                            + "(?:" + SYSTEM_ROOTS + "|" + HOME + ")" + END,
                    "it changes permissions or owners of the whole system or home directory"),
            Rule.of("power", "(?:^|[;&|]\\s*|\\bsudo\\s+)(?:shutdown|reboot|halt|poweroff)\\b|\\binit\\s+[06]\\b",
                    "it shuts down or reboots the machine"));

    /** Places a write may go besides the workspace: the bit bucket and the process's own streams. */
    private static final Set<String> HARMLESS_TARGETS = Set.of("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty");
    private static final Pattern REDIRECT = Pattern.compile("(?<![0-9&<>])(?:[0-9]?>>?|&>>?)\\s*([^\\s;&|()<>]+)");
    private static final Pattern TEE = Pattern.compile("\\btee\\s+((?:-\\S+\\s+)*)([^\\s;&|()<>]+)");
    private static final Pattern COPY = Pattern.compile("^\\s*(?:sudo\\s+)?(?:cp|mv|install|rsync|ln)\\s+(.+)$");
    private static final Pattern DELETE = Pattern.compile("^\\s*(?:sudo\\s+)?(?:rm|rmdir|shred|unlink)\\s+(.+)$");
    private static final Pattern SEGMENT_SPLIT = Pattern.compile("&&|\\|\\||[;|&\\n]");

    private final Path workspace;

    public RuleVoter(Path workspace) {
        this.workspace = workspace.toAbsolutePath().normalize();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Vote> vote(Intention intention) {
        return check(intention.command()).map(reason -> Vote.reject(NAME, reason));
    }

    /** Why {@code command} is refused, or empty when no rule matches. */
    public Optional<String> check(String command) {
        for (Rule rule : RULES) {
            if (rule.pattern().matcher(command).find()) {
                return Optional.of("rule " + rule.name() + ": " + rule.reason());
            }
        }
        Optional<String> deleted = outside(deleteTargets(command));
        if (deleted.isPresent()) {
            return Optional.of("rule delete-outside-workspace: it deletes " + deleted.get() + ", outside the workspace "
                    + workspace + " (an agent may only delete its own files)");
        }
        return outside(writeTargets(command))
                .map(target -> "rule write-outside-workspace: it writes to " + target
                        + ", outside the workspace " + workspace + " (write inside the workspace instead)");
    }

    private static List<String> deleteTargets(String command) {
        List<String> targets = new ArrayList<>();
        for (String segment : SEGMENT_SPLIT.split(command)) {
            Matcher d = DELETE.matcher(segment);
            if (d.find()) {
                for (String word : d.group(1).trim().split("\\s+")) {
                    if (!word.startsWith("-") && !word.isEmpty()) targets.add(word);
                }
            }
        }
        return targets;
    }

    private static List<String> writeTargets(String command) {
        List<String> targets = new ArrayList<>();
        Matcher m = REDIRECT.matcher(command);
        while (m.find()) targets.add(m.group(1));
        m = TEE.matcher(command);
        while (m.find()) targets.add(m.group(2));
        for (String segment : SEGMENT_SPLIT.split(command)) {
            Matcher c = COPY.matcher(segment);
            if (c.find()) {
                String[] words = c.group(1).trim().split("\\s+");
                String last = words[words.length - 1];
                if (!last.startsWith("-")) targets.add(last);
            }
        }
        return targets;
    }

    /** The first target that resolves outside the workspace (home-relative paths always do). */
    private Optional<String> outside(List<String> targets) {
        for (String raw : targets) {
            String target = unquote(raw);
            if (target.isEmpty() || target.startsWith("&") || HARMLESS_TARGETS.contains(target) || target.startsWith("/dev/fd/")) {
                continue;
            }
            if (target.startsWith("~") || target.startsWith("$HOME") || target.startsWith("${HOME}")) {
                return Optional.of(target);
            }
            if (target.startsWith("$")) continue; // a variable we cannot resolve; not a literal escape
            Path resolved = workspace.resolve(target).normalize();
            if (!resolved.startsWith(workspace)) return Optional.of(target);
        }
        return Optional.empty();
    }

    private static String unquote(String s) {
        String t = s.trim();
        if (t.length() >= 2 && (t.startsWith("\"") && t.endsWith("\"") || t.startsWith("'") && t.endsWith("'"))) {
            return t.substring(1, t.length() - 1);
        }
        return t;
    }
}
