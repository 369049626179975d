package dev.agentkernel.runner.bus;

import dev.agentkernel.runner.bus.shell.EffectAnalyzer;
import dev.agentkernel.runner.bus.shell.Finding;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The built-in voter: rejects a bash command that matches a known-dangerous pattern or that would delete or
 * overwrite a protected path once parsed and expanded ({@link EffectAnalyzer}; docs/agentbus.md lists both),
 * defers a command it cannot judge (decoded data run as code, a script the same command wrote) to the other
 * voters, and abstains otherwise, since rules cannot vouch that a command is safe. It is a seatbelt against an
 * agent's mistakes and plain-shell tricks, not a sandbox against a determined attacker.
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
            // the name starts at a word boundary, is bounded and cannot hold the punctuation around it: an
            // unbounded \\S+ backtracked over every start position (measured: 10 s for a 20 000-character command)
            Rule.of("fork-bomb", "(?:^|(?<=[\\s;&|(){}]))([^\\s(){}|&;]{1,64}+)\\s*\\(\\)\\s*\\{\\s*\\1\\s*\\|\\s*\\1\\s*&\\s*\\}",
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

    private final Path workspace;
    private final Map<String, String> env;

    /** Judges commands run in {@code workspace} with this process's environment (the bash tool inherits it). */
    public RuleVoter(Path workspace) {
        this(workspace, System.getenv());
    }

    /** {@code env}: the environment the commands run with ({@code HOME} and the variables they may expand). */
    public RuleVoter(Path workspace, Map<String, String> env) {
        this.workspace = workspace.toAbsolutePath().normalize();
        this.env = Map.copyOf(env);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Vote> vote(Intention intention) {
        return check(intention.command()).map(reason -> Vote.reject(NAME, reason));
    }

    @Override
    public Ballot ballot(Intention intention) {
        Optional<Finding> f = assess(intention.command());
        if (f.isEmpty()) return Ballot.ABSTAIN;
        return f.get().kind() == Finding.Kind.BLOCK ? new Ballot.Cast(Vote.reject(NAME, f.get().message()))
                : new Ballot.Defer(NAME, f.get().message());
    }

    /** Why {@code command} is refused, or empty when no rule rejects it (it may still need a vote: {@link #assess}). */
    public Optional<String> check(String command) {
        return assess(command).filter(f -> f.kind() == Finding.Kind.BLOCK).map(Finding::message);
    }

    /**
     * The pattern rules first (their names are documented and stable), then the effect analysis: what the
     * command would delete or overwrite, after parsing it as shell and expanding it.
     */
    public Optional<Finding> assess(String command) {
        for (Rule rule : RULES) {
            if (rule.pattern().matcher(command).find()) return Optional.of(Finding.block(rule.name(), rule.reason()));
        }
        try {
            return EffectAnalyzer.analyze(command, workspace.toString(), env);
        } catch (RuntimeException | StackOverflowError e) {
            // a gap in the analysis must not let the call through, nor fail the turn: someone decides
            return Optional.of(Finding.vote("the gate could not analyze it (" + e + ")"));
        }
    }
}
