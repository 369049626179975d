package dev.agentkernel.runner.bus.shell;

import dev.agentkernel.runner.bus.shell.ShellAst.Assign;
import dev.agentkernel.runner.bus.shell.ShellAst.Command;
import dev.agentkernel.runner.bus.shell.ShellAst.ForHeader;
import dev.agentkernel.runner.bus.shell.ShellAst.Group;
import dev.agentkernel.runner.bus.shell.ShellAst.Pipeline;
import dev.agentkernel.runner.bus.shell.ShellAst.Redirect;
import dev.agentkernel.runner.bus.shell.ShellAst.Script;
import dev.agentkernel.runner.bus.shell.ShellAst.Simple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Judges a bash command by what it would do to files, not by how it is spelled: it parses the command, follows
 * {@code cd}, variables and pipes, and checks every path a destructive verb (rm, find -delete/-exec, xargs, mv,
 * cp, truncate, sed -i, dd of=, shred, ln, tee, chmod -R, rsync --delete, redirections, interpreter one-liners,
 * nested {@code sh -c}/{@code eval}) would delete or write against {@link Protection}. Running something the
 * gate cannot read (decoded data, a script the same command wrote, a command string built at run time) is a
 * {@link Finding.Kind#VOTE}: another voter or a person must approve it.
 *
 * <p>One instance per command; not thread-safe. Measured on the corpus (RuleVoterCorpusTest): median parse +
 * analysis well under a millisecond per command.
 */
public final class EffectAnalyzer {
    /** Nested shells ({@code bash -c "eval '…'"}) deeper than this are not unpacked: a vote decides. */
    private static final int MAX_NESTING = 8;
    private static final Set<String> SHELLS = Set.of("sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "busybox-sh");
    private static final Set<String> WRAPPERS = Set.of("sudo", "doas", "env", "nice", "nohup", "time", "timeout", "command",
            "exec", "builtin", "stdbuf", "ionice", "chronic", "unbuffer", "setsid", "busybox", "flock", "chroot", "caffeinate");
    private static final Set<String> DECODERS = Set.of("base64", "base32", "basenc", "xxd", "openssl", "uudecode", "gunzip",
            "zcat", "gzip", "bzip2", "bzcat", "xz", "xzcat", "unxz", "rev", "tr", "zstd", "unzstd", "lzma", "od", "perl", "python",
            "python3", "ruby", "node", "awk", "sed", "printf");
    private static final Set<String> PASS_THROUGH = Set.of("cat", "tee", "sort", "uniq", "head", "tail", "tac", "grep", "egrep",
            "fgrep", "less", "more");

    private final Protection protection;
    private final Expander expander = new Expander(this);
    /**
     * What this command wrote to a file when the gate knows it ({@code cat > x.sh <<EOF}, {@code echo … > x.py}):
     * a script it then runs is walked instead of sent to a vote.
     */
    private final Map<String, String> writtenText = new HashMap<>();
    /** Symbolic links this command makes ({@code ln -s TARGET LINK}): link path -> target path. */
    private final Map<String, String> newLinks = new HashMap<>();
    private Finding block;
    private Finding vote;
    private int nesting;

    private EffectAnalyzer(Protection protection) {
        this.protection = protection;
    }

    /** The strongest finding for {@code command} run in {@code workspace} with {@code env}, or empty. */
    public static Optional<Finding> analyze(String command, String workspace, Map<String, String> env) {
        String home = env.getOrDefault("HOME", "/root");
        EffectAnalyzer a = new EffectAnalyzer(new Protection(workspace, normalize(home)));
        ShellState st = new ShellState(workspace, new HashMap<>(), null, new HashSet<>(), env);
        a.text(command, st);
        return Optional.ofNullable(a.block != null ? a.block : a.vote);
    }

    private static String normalize(String home) {
        Target t = Target.resolve(home, "/");
        return t.unknown() ? home : t.path();
    }

    // ---- walking ------------------------------------------------------------------------------------------

    /** Parses and walks shell text in {@code st}; text the gate cannot parse needs a vote. */
    void text(String shellText, ShellState st) {
        Script s;
        try {
            s = ShellParser.parse(shellText);
        } catch (ShellSyntaxException e) {
            note(Finding.vote("the gate cannot parse it as shell (" + e.getMessage() + ")"));
            return;
        }
        script(s, st);
    }

    void script(Script s, ShellState st) {
        if (++nesting > MAX_NESTING * 4) {
            nesting--;
            note(Finding.vote("it nests commands deeper than the gate unpacks"));
            return;
        }
        try {
            for (Pipeline p : s.pipelines()) pipeline(p, st);
        } finally {
            nesting--;
        }
    }

    private void pipeline(Pipeline p, ShellState st) {
        if (p.commands().size() == 1) {
            command(p.commands().getFirst(), st, null);
            return;
        }
        Flow flow = null;
        for (Command c : p.commands()) flow = command(c, st.copy(), flow);
    }

    /** Walks one command; {@code stdin} is what a pipe feeds it (null: nothing). Returns what it prints. */
    private Flow command(Command c, ShellState st, Flow stdin) {
        switch (c) {
            case Group g -> {
                ShellState inner = g.subshell() ? st.copy() : st;
                script(g.body(), inner);
                redirects(g.redirects(), st);
                return Flow.UNKNOWN;
            }
            case ForHeader f -> {
                List<String> items = expander.fields(f.items(), st);
                st.vars.put(f.variable(), items.isEmpty() ? List.of("") : items);
                return Flow.UNKNOWN;
            }
            case Simple s -> {
                return simple(s, st, stdin);
            }
        }
    }

    private Flow simple(Simple s, ShellState st, Flow piped) {
        List<String> argv = expander.fields(s.words(), st);
        ShellState cmdState = s.words().isEmpty() ? st : st.copy();
        for (Assign a : s.assigns()) {
            List<String> values = new ArrayList<>();
            for (var w : a.values()) values.addAll(expander.expand(w, st, true));
            cmdState.vars.put(a.name(), values.isEmpty() ? List.of("") : values);
        }
        Flow stdin = piped;
        for (Redirect r : s.redirects()) {
            if (r.body() != null) stdin = Flow.text(String.join(" ", expander.expand(r.body().text(), st, true)));
            else if (r.feedsStdin()) stdin = fileInput(r, st);
        }
        redirects(s.redirects(), st);
        if (argv.isEmpty()) return Flow.UNKNOWN;
        Flow out = run(argv, cmdState, stdin, st);
        for (Redirect r : s.redirects()) {
            if (r.fd() != 1 || !(r.op().equals(">") || r.op().equals(">|")) || out.text() == null) continue;
            List<String> f = expander.expand(r.target(), st, false);
            Target t = f.size() == 1 ? Target.resolve(f.getFirst(), st.cwd) : null;
            if (t != null && !t.unknown()) writtenText.put(t.path(), out.text());
        }
        return out;
    }

    private Flow fileInput(Redirect r, ShellState st) {
        List<String> f = expander.expand(r.target(), st, false);
        if (f.size() == 1) {
            Target t = Target.resolve(f.getFirst(), st.cwd);
            if (!t.unknown() && wasWritten(t.path(), st)) return Flow.WRITTEN;
        }
        return Flow.UNKNOWN;
    }

    private void redirects(List<Redirect> redirects, ShellState st) {
        for (Redirect r : redirects) {
            if (!r.writes()) continue;
            for (String f : expander.expand(r.target(), st, false)) {
                Target t = Target.resolve(f, st.cwd);
                writing(t, "writes to", false).ifPresent(this::note);
                if (!t.unknown()) {
                    st.written.add(t.path());
                    writtenText.remove(t.path());
                }
            }
        }
    }

    // ---- commands -----------------------------------------------------------------------------------------

    /**
     * Runs argv (already expanded). {@code st} is the command's state (with its prefix assignments);
     * {@code shell} is the state a {@code cd} or {@code eval} changes.
     */
    private Flow run(List<String> argv, ShellState st, Flow stdin, ShellState shell) {
        String cmd0 = argv.getFirst();
        if (cmd0.indexOf(Expander.UNKNOWN) >= 0) {
            note(Finding.vote("it runs a command whose name is only known at run time (" + Expander.display(cmd0) + ")"));
            return Flow.UNKNOWN;
        }
        String name = cmd0.substring(cmd0.lastIndexOf('/') + 1);
        List<String> args = argv.subList(1, argv.size());
        if (cmd0.contains("/")) checkRunsWritten(cmd0, st);
        if (WRAPPERS.contains(name)) return wrapper(name, args, st, stdin, shell);
        switch (name) {
            case "cd", "pushd" -> {
                cd(args, shell);
                return Flow.UNKNOWN;
            }
            case "popd" -> {
                shell.cwd = null;
                return Flow.UNKNOWN;
            }
            case "export", "declare", "typeset", "local", "readonly" -> {
                for (String a : args) {
                    int eq = a.indexOf('=');
                    if (eq > 0 && !a.startsWith("-")) {
                        String value = a.substring(eq + 1);
                        shell.vars.put(a.substring(0, eq), List.of(value));
                    }
                }
                return Flow.UNKNOWN;
            }
            case "read", "mapfile", "readarray" -> {
                for (String a : args) if (!a.startsWith("-") && a.matches("[A-Za-z_][A-Za-z0-9_]*")) shell.vars.put(a, List.of(String.valueOf(Expander.UNKNOWN)));
                shell.vars.put(name.equals("read") ? "REPLY" : "MAPFILE", List.of(String.valueOf(Expander.UNKNOWN)));
                return Flow.UNKNOWN;
            }
            case "unset" -> {
                for (String a : args) shell.vars.put(a, List.of(""));
                return Flow.UNKNOWN;
            }
            case "eval" -> {
                runText(String.join(" ", args), shell, "eval");
                return Flow.UNKNOWN;
            }
            case "source", "." -> {
                if (!args.isEmpty()) sourced(args.getFirst(), st, stdin);
                return Flow.UNKNOWN;
            }
            case "watch" -> {
                List<String> rest = skipOptions(args, Set.of("-n", "--interval", "-d", "-g"), Set.of("-n", "--interval"));
                if (!rest.isEmpty()) runText(String.join(" ", rest), st.copy(), "watch");
                return Flow.UNKNOWN;
            }
            case "rm", "rmdir", "unlink", "shred", "srm", "wipe", "trash", "trash-put", "gio" -> {
                delete(name, args, st);
                return Flow.UNKNOWN;
            }
            case "find" -> {
                return find(args, st);
            }
            case "xargs" -> {
                xargs(args, st, stdin, shell);
                return Flow.UNKNOWN;
            }
            case "mv" -> {
                copyOrMove(args, st, true);
                return Flow.UNKNOWN;
            }
            case "cp", "install" -> {
                if (!(name.equals("install") && args.contains("-d"))) copyOrMove(args, st, false);
                return Flow.UNKNOWN;
            }
            case "ln" -> {
                copyOrMove(args, st, false);
                List<String> operands = args.stream().filter(a -> !a.startsWith("-")).toList();
                boolean symbolic = args.stream().anyMatch(a -> a.equals("--symbolic") || a.matches("-[a-zA-Z]*s[a-zA-Z]*"));
                if (symbolic && operands.size() == 2) {
                    Target target = Target.resolve(operands.getFirst(), st.cwd);
                    Target link = Target.resolve(operands.getLast(), st.cwd);
                    if (!target.unknown() && !link.unknown() && !target.glob() && !link.glob()) newLinks.put(link.path(), target.path());
                }
                return Flow.UNKNOWN;
            }
            case "rsync" -> {
                rsync(args, st);
                return Flow.UNKNOWN;
            }
            case "tee" -> {
                for (String a : args) if (!a.startsWith("-")) write(a, st, "writes to", false);
                return stdin == null ? Flow.UNKNOWN : stdin;
            }
            case "truncate" -> {
                for (String a : skipOptions(args, Set.of("-s", "--size", "-r", "--reference"), Set.of())) write(a, st, "truncates", true);
                return Flow.UNKNOWN;
            }
            case "touch" -> {
                for (String a : skipOptions(args, Set.of("-d", "-t", "-r", "--date", "--reference"), Set.of())) write(a, st, "touches", false);
                return Flow.UNKNOWN;
            }
            case "sed" -> {
                return sed(args, st);
            }
            case "dd" -> {
                for (String a : args) if (a.startsWith("of=")) write(a.substring(3), st, "overwrites", true);
                return Flow.UNKNOWN;
            }
            case "chmod", "chown", "chgrp" -> {
                ownership(args, st);
                return Flow.UNKNOWN;
            }
            case "curl", "wget" -> {
                download(name, args, st);
                return Flow.UNKNOWN;
            }
            case "git" -> {
                git(args, st);
                return Flow.UNKNOWN;
            }
            case "echo" -> {
                return echo(args);
            }
            case "awk", "gawk", "mawk", "nawk" -> {
                awk(args, st);
                return Flow.UNKNOWN;
            }
            case "tar", "bsdtar" -> {
                tar(args, st);
                return Flow.UNKNOWN;
            }
            case "unzip" -> {
                for (int i = 0; i + 1 < args.size(); i++) if (args.get(i).equals("-d")) write(args.get(i + 1), st, "unpacks into", false);
                return Flow.UNKNOWN;
            }
            case "at", "batch" -> {
                if (!args.contains("-l") && !args.contains("-r") && !args.contains("-d")) stdinCode(stdin, st, name, null);
                return Flow.UNKNOWN;
            }
            case "crontab" -> {
                boolean installs = args.isEmpty() || args.stream().anyMatch(a -> a.equals("-") || !a.startsWith("-"));
                if (installs && !args.contains("-l")) {
                    note(Finding.vote("it installs a crontab: commands that run later, which the gate cannot judge now"));
                }
                return Flow.UNKNOWN;
            }
            case "printf" -> {
                return printf(args);
            }
            case "ls" -> {
                List<String> items = new ArrayList<>();
                for (String a : args) if (!a.startsWith("-")) items.add(a);
                items.add(Expander.GLOB + "");
                return Flow.items(items);
            }
            default -> {
                // fall through to shells, interpreters, decoders below
            }
        }
        if (SHELLS.contains(name)) {
            shellCommand(name, args, st, stdin);
            return Flow.UNKNOWN;
        }
        Optional<InterpreterCode.Language> lang = InterpreterCode.Language.of(name);
        if (lang.isPresent()) return interpreter(lang.get(), args, st, stdin);
        if (isDecoder(name, args)) return Flow.DECODED;
        if (PASS_THROUGH.contains(name)) {
            boolean fileArgs = args.stream().anyMatch(a -> !a.startsWith("-"));
            if (name.equals("cat") && !fileArgs) return stdin == null ? Flow.UNKNOWN : stdin;
            if (name.equals("grep") || name.equals("egrep") || name.equals("fgrep")) return grep(args);
            if (!fileArgs && stdin != null && stdin.items() != null) return Flow.items(stdin.items());
            if (!fileArgs && stdin == Flow.DECODED) return Flow.DECODED;
        }
        return Flow.UNKNOWN;
    }

    private Flow wrapper(String name, List<String> args, ShellState st, Flow stdin, ShellState shell) {
        List<String> rest = new ArrayList<>(args);
        switch (name) {
            case "env" -> {
                while (!rest.isEmpty() && (rest.getFirst().startsWith("-") || rest.getFirst().contains("="))) {
                    String a = rest.removeFirst();
                    if ((a.equals("-u") || a.equals("-C") || a.equals("--chdir") || a.equals("-S")) && !rest.isEmpty()) {
                        String v = rest.removeFirst();
                        if (a.equals("-S")) {
                            runText(v + " " + String.join(" ", rest), st.copy(), "env -S");
                            return Flow.UNKNOWN;
                        }
                    } else if (a.contains("=") && !a.startsWith("-")) {
                        st.vars.put(a.substring(0, a.indexOf('=')), List.of(a.substring(a.indexOf('=') + 1)));
                    }
                }
            }
            case "sudo", "doas" -> {
                while (!rest.isEmpty() && rest.getFirst().startsWith("-")) {
                    String a = rest.removeFirst();
                    if (Set.of("-u", "-g", "-C", "-p", "-h", "-U", "-r", "-t", "-D").contains(a) && !rest.isEmpty()) rest.removeFirst();
                    if (a.equals("-s") || a.equals("-i")) {
                        if (!rest.isEmpty()) runText(String.join(" ", rest), st.copy(), "sudo -s");
                        return Flow.UNKNOWN;
                    }
                }
            }
            case "timeout" -> {
                while (!rest.isEmpty() && rest.getFirst().startsWith("-")) {
                    String a = rest.removeFirst();
                    if ((a.equals("-s") || a.equals("-k") || a.equals("--signal") || a.equals("--kill-after")) && !rest.isEmpty()) rest.removeFirst();
                }
                if (!rest.isEmpty()) rest.removeFirst(); // the duration
            }
            case "nice", "ionice", "stdbuf" -> {
                while (!rest.isEmpty() && rest.getFirst().startsWith("-")) {
                    String a = rest.removeFirst();
                    if ((a.equals("-n") || a.equals("-c") || a.equals("-p") || a.equals("-i") || a.equals("-o") || a.equals("-e")) && !rest.isEmpty()) rest.removeFirst();
                }
            }
            case "command" -> {
                if (!rest.isEmpty() && (rest.getFirst().equals("-v") || rest.getFirst().equals("-V"))) return Flow.UNKNOWN;
                while (!rest.isEmpty() && rest.getFirst().startsWith("-")) rest.removeFirst();
            }
            case "flock" -> {
                while (!rest.isEmpty() && rest.getFirst().startsWith("-")) rest.removeFirst();
                if (!rest.isEmpty()) rest.removeFirst(); // the lock file
                if (rest.size() >= 2 && rest.getFirst().equals("-c")) {
                    runText(rest.get(1), st.copy(), "flock -c");
                    return Flow.UNKNOWN;
                }
            }
            case "chroot" -> {
                while (!rest.isEmpty() && rest.getFirst().startsWith("-")) rest.removeFirst();
                if (!rest.isEmpty()) rest.removeFirst();
            }
            default -> {
                while (!rest.isEmpty() && rest.getFirst().startsWith("-")) rest.removeFirst();
            }
        }
        if (rest.isEmpty()) return Flow.UNKNOWN;
        return run(rest, st, stdin, name.equals("exec") || name.equals("builtin") || name.equals("command") ? shell : st);
    }

    private void cd(List<String> args, ShellState shell) {
        List<String> rest = new ArrayList<>();
        for (String a : args) if (!a.equals("-L") && !a.equals("-P") && !a.equals("-e") && !a.equals("--")) rest.add(a);
        if (rest.isEmpty()) {
            shell.cwd = shell.home();
            return;
        }
        if (rest.getFirst().equals("-")) {
            shell.cwd = null;
            return;
        }
        Target t = Target.resolve(rest.getFirst(), shell.cwd);
        shell.cwd = t.unknown() || t.glob() ? null : t.path();
    }

    private void delete(String name, List<String> args, ShellState st) {
        List<String> targets = new ArrayList<>();
        boolean recursive = name.equals("rmdir") || name.equals("wipe");
        boolean options = true;
        List<String> rest = args;
        if (name.equals("gio")) {
            if (args.isEmpty() || !Set.of("trash", "remove", "rm").contains(args.getFirst())) return;
            rest = args.subList(1, args.size());
        }
        for (String a : rest) {
            if (options && a.equals("--")) {
                options = false;
            } else if (options && a.startsWith("--")) {
                if (a.equals("--recursive")) recursive = true;
            } else if (options && a.startsWith("-") && a.length() > 1) {
                if (a.indexOf('r') >= 0 || a.indexOf('R') >= 0) recursive = true;
            } else {
                targets.add(a);
            }
        }
        String verb = name.equals("shred") ? "shreds" : "deletes";
        for (String t : targets) {
            Target target = Target.resolve(t, st.cwd);
            deleting(target, recursive, verb).ifPresent(this::note);
        }
    }

    private Flow find(List<String> args, ShellState st) {
        List<String> roots = new ArrayList<>();
        int i = 0;
        while (i < args.size() && Set.of("-H", "-L", "-P").contains(args.get(i))) i++;
        while (i < args.size() && !args.get(i).startsWith("-") && !args.get(i).equals("(") && !args.get(i).equals("!")
                && !args.get(i).equals("\\(")) {
            roots.add(args.get(i++));
        }
        if (roots.isEmpty()) roots.add(".");
        // what find visits: the contents of each root (the root itself too, but a root is a directory the agent
        // named, judged as its contents: "find . -name x -delete" must not read as deleting the workspace)
        List<String> items = new ArrayList<>();
        for (String r : roots) items.add(r + "/" + Expander.GLOB);
        for (; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-delete")) {
                for (String r : items) deleting(Target.resolve(r, st.cwd), true, "deletes (find -delete)").ifPresent(this::note);
            } else if (Set.of("-exec", "-execdir", "-ok", "-okdir").contains(a)) {
                int end = i + 1;
                while (end < args.size() && !args.get(end).equals(";") && !args.get(end).equals("+")) end++;
                List<String> cmd = args.subList(i + 1, Math.min(end, args.size()));
                if (!cmd.isEmpty()) {
                    for (String item : items) {
                        List<String> argv = new ArrayList<>();
                        for (String c : cmd) argv.add(replaceBraces(c, item));
                        run(argv, st.copy(), null, st.copy());
                    }
                }
                i = end;
            } else if (Set.of("-fprint", "-fprint0", "-fprintf", "-fls").contains(a) && i + 1 < args.size()) {
                write(args.get(++i), st, "writes to", false);
            }
        }
        return Flow.items(items);
    }

    private static String replaceBraces(String arg, String item) {
        String marked = Expander.GLOB + "}";
        return arg.replace(marked, item).replace("{}", item);
    }

    private void xargs(List<String> args, ShellState st, Flow stdin, ShellState shell) {
        int i = 0;
        String replace = null;
        boolean fromFile = false;
        Set<String> withValue = Set.of("-n", "-L", "-P", "-s", "-d", "-E", "-a", "-I", "--max-args", "--max-procs", "--delimiter",
                "--arg-file", "--max-lines", "--replace", "--eof");
        while (i < args.size() && args.get(i).startsWith("-")) {
            String a = args.get(i);
            if (a.equals("-I") || a.equals("--replace")) replace = i + 1 < args.size() ? args.get(i + 1) : "{}";
            else if (a.startsWith("-I") && a.length() > 2) replace = a.substring(2);
            else if (a.startsWith("--replace=")) replace = a.substring(10);
            else if (a.equals("-i")) replace = "{}";
            if (a.equals("-a") || a.equals("--arg-file") || a.startsWith("--arg-file=")) fromFile = true;
            i += withValue.contains(a) ? 2 : 1;
        }
        List<String> cmd = i < args.size() ? args.subList(i, args.size()) : List.of("echo");
        List<String> items;
        if (fromFile || stdin == null) {
            items = List.of(String.valueOf(Expander.UNKNOWN));
        } else if (stdin.items() != null) {
            items = stdin.items();
        } else if (stdin.text() != null) {
            items = new ArrayList<>();
            for (String s : stdin.text().split("[\\s\\x00]+")) if (!s.isEmpty()) items.add(s);
        } else {
            items = List.of(String.valueOf(Expander.UNKNOWN));
        }
        for (String item : items) {
            List<String> argv = new ArrayList<>();
            if (replace != null) {
                String r = replace;
                String rMarked = Expander.markGlobs(r);
                for (String c : cmd) argv.add(c.replace(rMarked, item).replace(r, item));
            } else {
                argv.addAll(cmd);
                argv.add(item);
            }
            run(argv, st.copy(), null, shell.copy());
        }
    }

    private void copyOrMove(List<String> args, ShellState st, boolean move) {
        String targetDir = null;
        List<String> operands = new ArrayList<>();
        boolean options = true;
        Set<String> withValue = Set.of("-S", "--suffix", "-m", "--mode", "-o", "--owner", "-g", "--group");
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (options && a.equals("--")) options = false;
            else if (options && (a.equals("-t") || a.equals("--target-directory")) && i + 1 < args.size()) targetDir = args.get(++i);
            else if (options && a.startsWith("--target-directory=")) targetDir = a.substring(19);
            else if (options && withValue.contains(a)) i++;
            else if (options && a.startsWith("-") && a.length() > 1) continue;
            else operands.add(a);
        }
        List<String> sources;
        String dest;
        if (targetDir != null) {
            sources = operands;
            dest = targetDir;
        } else if (operands.size() >= 2) {
            sources = operands.subList(0, operands.size() - 1);
            dest = operands.getLast();
        } else {
            return; // ln -s target: the link lands in the working directory
        }
        if (move) {
            for (String s : sources) deleting(Target.resolve(s, st.cwd), true, "moves away").ifPresent(this::note);
        }
        write(dest, st, move ? "moves files onto" : "writes to", false);
    }

    private void rsync(List<String> args, ShellState st) {
        boolean delete = false;
        boolean removeSources = false;
        List<String> operands = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("--delete") || a.equals("--del")) delete = true;
            else if (a.equals("--remove-source-files")) removeSources = true;
            else if (!a.startsWith("-")) operands.add(a);
        }
        if (operands.size() < 2) return;
        String dest = operands.getLast();
        boolean remote = dest.matches("^[^/]*:.*");
        if (!remote) {
            if (delete) deleting(Target.resolve(dest + "/" + Expander.GLOB, st.cwd), true, "deletes (rsync --delete) files in").ifPresent(this::note);
            write(dest, st, "writes to", false);
        }
        if (removeSources) {
            for (String s : operands.subList(0, operands.size() - 1)) {
                if (!s.matches("^[^/]*:.*")) deleting(Target.resolve(s, st.cwd), true, "moves away").ifPresent(this::note);
            }
        }
    }

    private Flow sed(List<String> args, ShellState st) {
        boolean inPlace = false;
        boolean scriptGiven = false;
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-e") || a.equals("-f") || a.equals("--expression") || a.equals("--file")) {
                scriptGiven = true;
                i++;
            } else if (a.startsWith("--in-place") || a.startsWith("-i") || a.matches("-[a-zA-Z]*i.*") && !a.startsWith("--")) {
                inPlace = true;
            } else if (a.startsWith("-") && a.length() > 1) {
                if (a.startsWith("--expression=") || a.startsWith("--file=")) scriptGiven = true;
            } else {
                operands.add(a);
            }
        }
        if (!scriptGiven && !operands.isEmpty()) operands.removeFirst();
        if (inPlace) for (String f : operands) write(f, st, "edits in place", true);
        return Flow.UNKNOWN;
    }

    private void ownership(List<String> args, ShellState st) {
        boolean recursive = false;
        boolean reference = false;
        List<String> operands = new ArrayList<>();
        for (String a : args) {
            if (a.equals("-R") || a.equals("--recursive") || a.matches("-[cfvhHLP]*R[cfvhHLP]*")) recursive = true;
            else if (a.startsWith("--reference")) reference = true;
            else if (a.matches("-[cfvhHLP]+") || a.startsWith("--")) continue;
            else operands.add(a);
        }
        if (!reference && !operands.isEmpty()) operands.removeFirst(); // the mode or owner
        for (String o : operands) {
            Target t = Target.resolve(o, st.cwd);
            if (recursive) protection.recursiveOwnership(t).ifPresent(this::note);
            writing(t, "changes permissions or owners of", false).ifPresent(this::note);
        }
    }

    private void download(String name, List<String> args, ShellState st) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (name.equals("curl") && (a.equals("-o") || a.equals("--output")) && i + 1 < args.size()) write(args.get(++i), st, "downloads to", false);
            else if (name.equals("curl") && a.startsWith("-o") && a.length() > 2 && !a.startsWith("--")) write(a.substring(2), st, "downloads to", false);
            else if (name.equals("wget") && (a.equals("-O") || a.equals("--output-document")) && i + 1 < args.size()) write(args.get(++i), st, "downloads to", false);
            else if (name.equals("wget") && a.startsWith("--output-document=")) write(a.substring(18), st, "downloads to", false);
        }
    }

    private void git(List<String> args, ShellState st) {
        ShellState at = st;
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty() && rest.getFirst().startsWith("-")) {
            String a = rest.removeFirst();
            if (a.equals("-C") && !rest.isEmpty()) {
                at = st.copy();
                Target dir = Target.resolve(rest.removeFirst(), st.cwd);
                at.cwd = dir.unknown() || dir.glob() ? null : dir.path();
            } else if (a.equals("-c") && !rest.isEmpty()) {
                rest.removeFirst();
            }
        }
        if (rest.isEmpty()) return;
        String sub = rest.removeFirst();
        if (sub.equals("clone")) {
            List<String> operands = rest.stream().filter(a -> !a.startsWith("-")).toList();
            if (operands.size() >= 2) write(operands.getLast(), at, "clones into", false);
        } else if (sub.equals("clean") && rest.stream().anyMatch(a -> a.startsWith("-") && a.contains("f"))) {
            deleting(Target.resolve(Expander.GLOB + "", at.cwd), true, "deletes (git clean) untracked files in").ifPresent(this::note);
        } else if (sub.equals("rm")) {
            delete("rm", rest, at);
        }
    }

    /** awk programs run shell commands through system("…") and print | "…": those strings are walked as shell. */
    private void awk(List<String> args, ShellState st) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-F") || a.equals("-v") || a.equals("-f")) {
                i++;
            } else if (!a.startsWith("-")) {
                if (a.contains("system") || a.contains("|")) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(a);
                    List<String> literals = new ArrayList<>();
                    while (m.find()) literals.add(m.group(1));
                    for (String l : literals) nestedShell(l, st);
                    nestedShell(String.join(" ", literals), st);
                }
                return;
            }
        }
    }

    /** tar -x into -C DIR (or the working directory) writes there. */
    private void tar(List<String> args, ShellState st) {
        boolean extract = !args.isEmpty() && (args.getFirst().matches("[a-zA-Z]*x[a-zA-Z]*") || args.contains("--extract")
                || args.contains("--get") || args.stream().anyMatch(a -> a.matches("-[a-zA-Z]*x[a-zA-Z]*")));
        if (!extract) return;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if ((a.equals("-C") || a.equals("--directory")) && i + 1 < args.size()) write(args.get(i + 1), st, "unpacks into", false);
            else if (a.startsWith("--directory=")) write(a.substring(12), st, "unpacks into", false);
        }
    }

    private static Flow echo(List<String> args) {
        List<String> words = new ArrayList<>(args);
        boolean escapes = false;
        while (!words.isEmpty() && words.getFirst().matches("-[neE]+")) {
            if (words.getFirst().contains("e")) escapes = true;
            words.removeFirst();
        }
        String text = String.join(" ", words);
        if (escapes && text.contains("\\")) return Flow.DECODED;
        return Flow.text(text);
    }

    private static Flow printf(List<String> args) {
        List<String> rest = new ArrayList<>(args);
        if (!rest.isEmpty() && rest.getFirst().equals("-v")) return Flow.UNKNOWN;
        if (!rest.isEmpty() && rest.getFirst().equals("--")) rest.removeFirst();
        if (rest.isEmpty()) return Flow.UNKNOWN;
        String format = rest.removeFirst();
        String plain = format.replace("\\n", "\n").replace("\\t", "\t").replace("\\0", "\n");
        if (plain.contains("\\")) return Flow.DECODED; // \x72\x6d …: text the gate does not decode
        if (!plain.contains("%")) return Flow.text(plain);
        if (plain.replace("%s", "").replace("%%", "").contains("%") && !plain.matches("(?s)[^%]*(%[sd%][^%]*)*")) return Flow.UNKNOWN;
        if (rest.isEmpty()) return Flow.text(plain.replace("%s", ""));
        StringBuilder out = new StringBuilder();
        for (String a : rest) out.append(plain.replace("%s", a)).append(plain.contains("\n") ? "" : " ");
        return Flow.text(out.toString());
    }

    private static Flow grep(List<String> args) {
        boolean names = false;
        boolean recursive = false;
        List<String> operands = new ArrayList<>();
        boolean patternGiven = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-e") || a.equals("-f")) {
                patternGiven = true;
                i++;
            } else if (a.startsWith("-") && a.length() > 1) {
                if (!a.startsWith("--") && (a.contains("l") || a.contains("L"))) names = true;
                if (!a.startsWith("--") && (a.contains("r") || a.contains("R"))) recursive = true;
                if (a.equals("--files-with-matches") || a.equals("--files-without-match")) names = true;
                if (a.equals("--recursive")) recursive = true;
            } else {
                operands.add(a);
            }
        }
        if (!patternGiven && !operands.isEmpty()) operands.removeFirst();
        if (!names) return Flow.UNKNOWN;
        List<String> items = new ArrayList<>();
        if (operands.isEmpty() && recursive) operands.add(".");
        for (String o : operands) {
            items.add(o);
            items.add(o + "/" + Expander.GLOB);
        }
        return items.isEmpty() ? Flow.UNKNOWN : Flow.items(items);
    }

    private static boolean isDecoder(String name, List<String> args) {
        if (!DECODERS.contains(name)) return false;
        return switch (name) {
            case "base64", "base32", "basenc" -> args.stream().anyMatch(a -> a.equals("-d") || a.equals("--decode") || a.equals("-D") || a.matches("-[a-zA-Z]*d[a-zA-Z]*"));
            case "xxd" -> args.stream().anyMatch(a -> a.startsWith("-r") || a.matches("-[a-z]*r[a-z]*"));
            case "openssl" -> args.stream().anyMatch(a -> a.equals("-d") || a.equals("-base64") || a.equals("base64") || a.equals("-a") || a.equals("enc"));
            case "gzip", "bzip2", "xz", "zstd", "lzma" -> args.stream().anyMatch(a -> a.equals("-d") || a.equals("--decompress") || a.matches("-[a-z]*d[a-z]*c?"));
            case "od", "perl", "python", "python3", "ruby", "node", "awk", "sed", "printf" -> false;
            default -> true;
        };
    }

    // ---- running code -------------------------------------------------------------------------------------

    /** Shell text built by the command (eval, sh -c): walked when known, else a vote. */
    private void runText(String text, ShellState st, String how) {
        if (text.indexOf(Expander.UNKNOWN) >= 0) {
            note(Finding.vote("it runs a command string (" + how + ") that is only known at run time, e.g. decoded or downloaded: "
                    + Expander.display(abbreviate(text))));
            return;
        }
        if (nesting > MAX_NESTING) {
            note(Finding.vote("it nests shells deeper than the gate unpacks"));
            return;
        }
        text(text.replace(Expander.GLOB, '*'), st);
    }

    private void shellCommand(String name, List<String> args, ShellState st, Flow stdin) {
        int i = 0;
        boolean dashC = false;
        while (i < args.size() && (args.get(i).startsWith("-") || args.get(i).startsWith("+"))) {
            String a = args.get(i++);
            if (a.equals("--")) break;
            if (a.equals("-o") || a.equals("+o") || a.equals("-O") || a.equals("+O") || a.equals("--rcfile") || a.equals("--init-file")) {
                i++;
                continue;
            }
            if (!a.startsWith("--") && a.indexOf('c') > 0) dashC = true;
        }
        if (dashC) {
            if (i >= args.size()) return;
            ShellState inner = st.copy();
            inner.positional = new ArrayList<>(args.subList(Math.min(i + 2, args.size()), args.size()));
            runText(args.get(i), inner, name + " -c");
            return;
        }
        if (i < args.size()) {
            runScriptFile(args.get(i), st, name);
            return;
        }
        stdinCode(stdin, st, name, null);
    }

    private void sourced(String file, ShellState st, Flow stdin) {
        if (file.equals("/dev/stdin") || file.equals("-")) {
            stdinCode(stdin, st, "source", null);
            return;
        }
        runScriptFile(file, st, "source");
    }

    private void runScriptFile(String file, ShellState st, String how) {
        if (file.startsWith("/dev/fd/") || file.equals("/dev/stdin") || file.startsWith("/proc/self/fd/")) {
            note(Finding.vote("it runs (" + how + ") the output of another command as a script, which the gate cannot read"));
            return;
        }
        checkRunsWritten(file, st);
    }

    private void checkRunsWritten(String file, ShellState st) {
        checkRunsWritten(file, st, null);
    }

    /**
     * A script this same command wrote: walked (as {@code lang}, or by its #! line) when the gate knows the text
     * it wrote, else a vote.
     */
    private void checkRunsWritten(String file, ShellState st, InterpreterCode.Language lang) {
        Target t = Target.resolve(file, st.cwd);
        if (t.unknown() || !wasWritten(t.path(), st)) return;
        String text = writtenText.get(t.path());
        if (text == null) {
            note(Finding.vote("it runs " + t.shown() + ", a script the same command wrote, which the gate cannot read"));
            return;
        }
        InterpreterCode.Language language = lang;
        if (language == null && text.startsWith("#!")) {
            String shebang = text.lines().findFirst().orElse("");
            String[] words = shebang.substring(2).trim().split("\\s+");
            String interp = words[0].substring(words[0].lastIndexOf('/') + 1);
            if (interp.equals("env") && words.length > 1) interp = words[1];
            language = InterpreterCode.Language.of(interp).orElse(null);
        }
        if (language != null) InterpreterCode.scan(language, text, st, protection, this).ifPresent(this::note);
        else runText(text, st.copy(), "the script " + t.shown() + " it wrote");
    }

    private static boolean wasWritten(String path, ShellState st) {
        for (String w : st.written) if (Protection.inside(path, w)) return true;
        return false;
    }

    /** Code read from stdin by a shell or an interpreter ({@code lang} null: a shell). */
    private void stdinCode(Flow stdin, ShellState st, String how, InterpreterCode.Language lang) {
        if (stdin == null) return;
        if (stdin.text() != null) {
            if (lang == null) runText(stdin.text(), st.copy(), how + " reading its input");
            else InterpreterCode.scan(lang, stdin.text(), st, protection, this).ifPresent(this::note);
        } else if (stdin == Flow.DECODED) {
            note(Finding.vote("it decodes data and runs it (" + how + "): the gate cannot see what that does"));
        } else if (stdin == Flow.WRITTEN) {
            note(Finding.vote("it runs (" + how + ") a script the same command wrote, which the gate cannot read"));
        } else {
            note(Finding.vote("it runs (" + how + ") a script from its input, which the gate cannot read"));
        }
    }

    private Flow interpreter(InterpreterCode.Language lang, List<String> args, ShellState st, Flow stdin) {
        InterpreterCode.Invocation inv = InterpreterCode.invocation(lang, args);
        if (inv.moduleOrVersion()) return Flow.UNKNOWN;
        for (String f : inv.inPlaceFiles()) write(f, st, "edits in place", true);
        if (inv.code() != null) {
            if (inv.code().indexOf(Expander.UNKNOWN) >= 0) {
                note(Finding.vote("it runs " + lang.display() + " code that is only known at run time (decoded or computed)"));
            } else {
                InterpreterCode.scan(lang, inv.code(), st, protection, this).ifPresent(this::note);
            }
            return Flow.UNKNOWN;
        }
        if (inv.script() != null && !inv.script().equals("-")) {
            String s = inv.script();
            if (s.startsWith("/dev/fd/") || s.equals("/dev/stdin") || s.startsWith("/proc/self/fd/")) runScriptFile(s, st, lang.display());
            else checkRunsWritten(s, st, lang);
            return Flow.UNKNOWN;
        }
        stdinCode(stdin, st, lang.display(), lang);
        return Flow.UNKNOWN;
    }

    /** Shell commands found inside interpreter code (os.system('…')): walked like the rest. */
    void nestedShell(String text, ShellState st) {
        if (nesting > MAX_NESTING) return;
        Finding savedBlock = block;
        Finding savedVote = vote;
        text(text, st.copy());
        // a literal that merely does not parse as shell is no reason to vote
        if (vote != savedVote && vote != null && vote.reason().startsWith("the gate cannot parse")) vote = savedVote;
        if (block != savedBlock) return;
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /** Judges a deletion by name, then through a symbolic link this same command made ({@code ln -s ~ b && rm -rf b/*}). */
    private Optional<Finding> deleting(Target t, boolean recursive, String verb) {
        Optional<Finding> f = protection.delete(t, recursive, verb);
        if (f.isPresent()) return f;
        Target linked = throughNewLink(t, false);
        return linked == null ? f : protection.delete(linked, recursive, verb);
    }

    private Optional<Finding> writing(Target t, String verb, boolean unknownNeedsVote) {
        Optional<Finding> f = protection.write(t, verb, unknownNeedsVote);
        if (f.isPresent()) return f;
        Target linked = throughNewLink(t, true);
        return linked == null ? f : protection.write(linked, verb, false);
    }

    /** {@code exact}: the link itself counts (a write follows it; rm removes only the link). */
    private Target throughNewLink(Target t, boolean exact) {
        if (t.unknown() || newLinks.isEmpty()) return null;
        for (Map.Entry<String, String> link : newLinks.entrySet()) {
            String l = link.getKey();
            if (t.path().startsWith(l + "/") || t.glob() && t.base().equals(l) || exact && t.path().equals(l)) {
                Target r = Target.resolve(link.getValue() + t.path().substring(l.length()), "/");
                return new Target(r.path(), r.base(), r.glob(), t.shown() + " (through the link to " + Expander.display(link.getValue()) + " it made)");
            }
        }
        return null;
    }

    private void write(String field, ShellState st, String verb, boolean unknownNeedsVote) {
        Target t = Target.resolve(field, st.cwd);
        writing(t, verb, unknownNeedsVote).ifPresent(this::note);
        if (!t.unknown()) {
            st.written.add(t.path());
            writtenText.remove(t.path());
        }
    }

    private static List<String> skipOptions(List<String> args, Set<String> withValue, Set<String> ignored) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (withValue.contains(a)) i++;
            else if (!a.startsWith("-") || a.equals("-")) out.add(a);
        }
        return out;
    }

    void note(Finding f) {
        if (f.kind() == Finding.Kind.BLOCK) {
            if (block == null) block = f;
        } else if (vote == null) {
            vote = f;
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }

    /**
     * What a command prints, as far as the gate can tell: known text ({@code echo}), path items ({@code find},
     * {@code ls}, {@code grep -l}), decoded data, or unknown.
     */
    record Flow(String text, List<String> items, String kind) {
        static final Flow UNKNOWN = new Flow(null, null, "unknown");
        static final Flow DECODED = new Flow(null, null, "decoded");
        static final Flow WRITTEN = new Flow(null, null, "written");

        static Flow text(String text) {
            return new Flow(text, null, "text");
        }

        static Flow items(List<String> items) {
            return new Flow(null, List.copyOf(items), "items");
        }
    }
}
