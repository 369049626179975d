package dev.agentkernel.runner.bus.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Interpreter one-liners ({@code python3 -c}, {@code perl -e}, {@code node -e}, {@code ruby -e}, {@code php -r}):
 * finds file-deletion calls and shell-outs in the code. A deletion whose statement or string literals point at a
 * protected path (the home directory by any spelling, an absolute path outside the workspace) is blocked; one
 * on literal paths inside the workspace passes; one on a path computed at run time needs a vote. Shell-outs
 * ({@code os.system('…')}) have their string literals walked as shell; code that decodes and then executes
 * needs a vote. This reads code text: it is a tripwire, not an interpreter.
 */
final class InterpreterCode {
    private InterpreterCode() {}

    enum Language {
        PYTHON("python",
                "\\bshutil\\s*\\.\\s*(?:rmtree|move)\\b|\\bos\\s*\\.\\s*(?:remove|unlink|rmdir|removedirs|rename|renames|replace|truncate)\\b"
                        + "|\\.\\s*(?:unlink|rmdir|rename|replace)\\s*\\(|\\brmtree\\s*\\(|\\bsend2trash\\b",
                "\\bos\\s*\\.\\s*(?:system|popen|exec\\w*|spawn\\w*)\\b|\\bsubprocess\\b|\\bpty\\s*\\.\\s*spawn|\\bcommands\\s*\\.\\s*getoutput",
                "\\bexec\\s*\\(|\\beval\\s*\\(|\\bcompile\\s*\\(|__import__|\\bgetattr\\s*\\(",
                "expanduser|Path\\s*\\.\\s*home\\b|environ|getenv|\\bpwd\\s*\\.\\s*getpw|gettempdir"),
        PERL("perl",
                "\\bunlink\\b|\\brmtree\\b|\\bremove_tree\\b|\\brmdir\\b|\\btruncate\\b|\\brename\\b|\\bmove\\s*\\(",
                "\\bsystem\\b|\\bexec\\b|`|\\bqx\\b|\\bopen\\s*\\(?[^,]*,\\s*['\"]\\s*\\|",
                "\\beval\\b|\\bpack\\b|decode_base64|\\bchr\\b",
                "\\$ENV\\{|\\bgetpw|File::HomeDir|\\bglob\\s*\\(\\s*['\"]~|<~"),
        NODE("node",
                "\\b(?:rmSync|unlinkSync|rmdirSync|truncateSync|renameSync)\\b|\\bfs(?:\\s*\\.\\s*promises)?\\s*\\.\\s*(?:rm|unlink|rmdir|truncate|rename)\\s*\\(|\\brimraf\\b",
                "child_process|\\bexecSync\\b|\\bspawnSync\\b|\\bexecFileSync\\b",
                "\\beval\\s*\\(|new\\s+Function|Buffer\\s*\\.\\s*from\\s*\\([^)]*base64|\\batob\\s*\\(|fromCharCode",
                "homedir|process\\s*\\.\\s*env"),
        RUBY("ruby",
                "FileUtils\\s*\\.\\s*(?:rm\\w*|remove\\w*|mv|move|rmdir|shred)|\\bFile\\s*\\.\\s*(?:delete|unlink|truncate|rename)|\\bDir\\s*\\.\\s*(?:rmdir|delete|unlink)|\\brm_rf\\b",
                "\\bsystem\\b|`|%x|\\bexec\\b|\\bspawn\\b|Open3|IO\\s*\\.\\s*popen",
                "\\beval\\b|unpack|Base64|\\binstance_eval\\b",
                "Dir\\s*\\.\\s*home|ENV\\s*\\[|Etc\\s*\\.\\s*getpw"),
        PHP("php",
                "\\bunlink\\s*\\(|\\brmdir\\s*\\(|\\brename\\s*\\(|\\bftruncate\\s*\\(",
                "\\bsystem\\s*\\(|\\bexec\\s*\\(|shell_exec|passthru|\\bpopen\\s*\\(|proc_open|`",
                "\\beval\\s*\\(|base64_decode|gzinflate|str_rot13|assert\\s*\\(",
                "getenv|\\$_SERVER|\\$_ENV|posix_getpw");

        private final String display;
        final Pattern delete;
        final Pattern shellOut;
        final Pattern dynamic;
        final Pattern homeRef;

        Language(String display, String delete, String shellOut, String dynamic, String homeRef) {
            this.display = display;
            this.delete = Pattern.compile(delete);
            this.shellOut = Pattern.compile(shellOut);
            this.dynamic = Pattern.compile(dynamic);
            this.homeRef = Pattern.compile(homeRef + "|~");
        }

        String display() {
            return display;
        }

        static Optional<Language> of(String command) {
            if (command.matches("python[0-9.]*|pypy[0-9.]*")) return Optional.of(PYTHON);
            if (command.matches("perl[0-9.]*")) return Optional.of(PERL);
            if (command.equals("node") || command.equals("nodejs") || command.equals("bun") || command.equals("deno")) return Optional.of(NODE);
            if (command.matches("ruby[0-9.]*")) return Optional.of(RUBY);
            if (command.matches("php[0-9.]*")) return Optional.of(PHP);
            return Optional.empty();
        }
    }

    /**
     * How the interpreter was asked to run: inline {@code code}, a {@code script} file, or neither (stdin);
     * {@code inPlaceFiles} for {@code perl -i}; {@code moduleOrVersion} for {@code python -m x} or {@code --version}.
     */
    record Invocation(String code, String script, List<String> inPlaceFiles, boolean moduleOrVersion) {}

    static Invocation invocation(Language lang, List<String> args) {
        StringBuilder code = null;
        boolean inPlace = false;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (code == null && rest.isEmpty() && a.startsWith("-") && a.length() > 1 && !a.equals("--")) {
                String flags = a.startsWith("--") ? a : a.substring(1);
                // module and include options carry names, not flags: perl -MFile::Path, ruby -rfileutils
                if ((lang == Language.PERL || lang == Language.RUBY) && !a.startsWith("--") && "MmIrx".indexOf(flags.charAt(0)) >= 0) continue;
                if (lang == Language.PYTHON && (a.equals("-m") || a.equals("--version") || a.equals("-V"))) return new Invocation(null, null, List.of(), true);
                if (lang == Language.NODE && (a.equals("--version") || a.equals("-v"))) return new Invocation(null, null, List.of(), true);
                boolean takesCode = switch (lang) {
                    case PYTHON -> !a.startsWith("--") && flags.endsWith("c");
                    case PERL -> !a.startsWith("--") && (flags.replaceFirst("i.*$", "").contains("e") || flags.replaceFirst("i.*$", "").contains("E"));
                    case NODE -> a.equals("-e") || a.equals("--eval") || a.equals("-p") || a.equals("--print") || a.equals("-pe");
                    case RUBY -> !a.startsWith("--") && flags.endsWith("e");
                    case PHP -> a.equals("-r");
                };
                if (lang == Language.PERL && !a.startsWith("--") && flags.contains("i")) inPlace = true;
                if (lang == Language.RUBY && !a.startsWith("--") && flags.contains("i")) inPlace = true;
                if (takesCode && i + 1 < args.size()) {
                    code = new StringBuilder(args.get(++i));
                    // perl and ruby take several -e
                    while (i + 2 < args.size() && (args.get(i + 1).equals("-e") || args.get(i + 1).equals("-E"))) {
                        code.append('\n').append(args.get(i + 2));
                        i += 2;
                    }
                    continue;
                }
                if (lang == Language.PYTHON && (a.equals("-W") || a.equals("-X"))) i++;
                continue;
            }
            rest.add(a);
        }
        if (code != null) return new Invocation(code.toString(), null, inPlace ? rest : List.of(), false);
        if (rest.isEmpty()) return new Invocation(null, null, List.of(), false);
        return new Invocation(null, rest.getFirst(), inPlace ? rest.subList(1, rest.size()) : List.of(), false);
    }

    private static final Pattern LITERAL = Pattern.compile("'((?:[^'\\\\]|\\\\.)*)'|\"((?:[^\"\\\\]|\\\\.)*)\"|`((?:[^`\\\\]|\\\\.)*)`");

    static Optional<Finding> scan(Language lang, String code, ShellState st, Protection protection, EffectAnalyzer analyzer) {
        List<String> literals = literals(code);
        String rule = "interpreter-delete";
        Matcher del = lang.delete.matcher(code);
        boolean anyDelete = false;
        Finding vote = null;
        while (del.find()) {
            anyDelete = true;
            String stmt = statement(code, del.start(), del.end());
            if (lang.homeRef.matcher(stmt.replaceAll("'[^']*'|\"[^\"]*\"", "\"\"")).find() || stmt.contains("~")) {
                return Optional.of(Finding.block(rule, "it deletes files in the home directory from " + lang.display() + " ("
                        + abbreviate(stmt.strip()) + ")"));
            }
            // module names are no paths: require('fs'), __import__('shutil')
            List<String> stmtLiterals = literals(stmt.replaceAll("(?:require|__import__|import)\\s*\\(\\s*(['\"])[^'\"]*\\1\\s*\\)", "m"));
            boolean insideOnly = !stmtLiterals.isEmpty();
            for (String lit : stmtLiterals) {
                Optional<Finding> f = protection.delete(Target.resolve(Expander.markGlobs(lit), st.cwd), true, "deletes (" + lang.display() + ")");
                if (f.isPresent() && f.get().kind() == Finding.Kind.BLOCK) {
                    return Optional.of(Finding.block(rule, f.get().reason()));
                }
                if (f.isPresent()) insideOnly = false;
            }
            if (!insideOnly && vote == null) {
                vote = Finding.vote("it deletes files from " + lang.display() + " at a path computed when it runs ("
                        + abbreviate(stmt.strip()) + ")");
            }
        }
        if (anyDelete) {
            for (String lit : literals) {
                if (!lit.startsWith("/") && !lit.startsWith("~") && !lit.startsWith("..")) continue;
                Optional<Finding> f = protection.delete(Target.resolve(Expander.markGlobs(lit), st.cwd), true, "deletes (" + lang.display() + ")");
                if (f.isPresent() && f.get().kind() == Finding.Kind.BLOCK) return Optional.of(Finding.block(rule, f.get().reason()));
            }
        }
        boolean shellOut = lang.shellOut.matcher(code).find();
        boolean dynamic = lang.dynamic.matcher(code).find();
        if (shellOut || dynamic) {
            for (String lit : literals) analyzer.nestedShell(lit, st);
            analyzer.nestedShell(String.join(" ", literals), st);
            // system("rm", "-rf", $ENV{HOME}): the target is no literal, but the verb and the home directory are there
            if (shellOut && lang.homeRef.matcher(code).find()
                    && literals.stream().anyMatch(l -> l.matches("(?s).*\\b(?:rm|shred|unlink|truncate|mv|dd|find|rmdir)\\b.*"))) {
                return Optional.of(Finding.block(rule, "it runs a deleting command on the home directory from " + lang.display()));
            }
        }
        if (dynamic && (code.contains("decode") || code.contains("base64") || code.contains("b64") || code.contains("fromCharCode")
                || code.contains("chr(") || code.contains("pack") || code.contains("rot13") || code.contains("atob") || code.contains("[::-1]"))) {
            return Optional.of(Finding.vote("it decodes data and runs it from " + lang.display() + ": the gate cannot see what that does"));
        }
        if (dynamic && (code.contains("exec(") || code.contains("eval"))) {
            return Optional.of(Finding.vote("it runs " + lang.display() + " code built at run time (exec/eval): the gate cannot see what that does"));
        }
        return Optional.ofNullable(vote);
    }

    private static List<String> literals(String code) {
        List<String> out = new ArrayList<>();
        Matcher m = LITERAL.matcher(code);
        while (m.find()) {
            String s = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            out.add(s.replace("\\\\", "\\").replace("\\'", "'").replace("\\\"", "\""));
        }
        return out;
    }

    /** The statement around a match: from the previous ';', newline or '{' to the next ';' or newline. */
    private static String statement(String code, int start, int end) {
        int from = start;
        while (from > 0 && ";\n{".indexOf(code.charAt(from - 1)) < 0) from--;
        int to = end;
        int depth = 0;
        while (to < code.length()) {
            char c = code.charAt(to);
            if (c == '(' || c == '[' || c == '{') depth++;
            else if (c == ')' || c == ']' || c == '}') depth--;
            else if ((c == ';' || c == '\n') && depth <= 0) break;
            to++;
        }
        return code.substring(from, to);
    }

    private static String abbreviate(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "…" : s;
    }
}
