package dev.agentkernel.runner.bus.shell;

import dev.agentkernel.runner.bus.shell.ShellAst.CommandSub;
import dev.agentkernel.runner.bus.shell.ShellAst.Lit;
import dev.agentkernel.runner.bus.shell.ShellAst.Param;
import dev.agentkernel.runner.bus.shell.ShellAst.Part;
import dev.agentkernel.runner.bus.shell.ShellAst.Pipeline;
import dev.agentkernel.runner.bus.shell.ShellAst.Simple;
import dev.agentkernel.runner.bus.shell.ShellAst.Word;

import java.util.ArrayList;
import java.util.List;

/**
 * Expands a word the way bash would before running the command: tilde, variables (assigned earlier in the same
 * command, else the runner's environment, which the bash tool inherits; unset is empty), {@code $PWD},
 * {@code $(pwd)} and {@code $(echo …)}, word splitting of unquoted values. What cannot be known before the
 * command runs (other command substitutions, {@code read}, arithmetic) becomes {@link #UNKNOWN}; an unquoted
 * glob or brace character becomes {@link #GLOB}.
 */
final class Expander {
    static final char UNKNOWN = '\uE000';
    static final char GLOB = '\uE001';

    private final EffectAnalyzer analyzer;

    Expander(EffectAnalyzer analyzer) {
        this.analyzer = analyzer;
    }

    /** For reason texts: markers shown as {@code ?} and {@code *}. */
    static String display(String field) {
        return field.replace(UNKNOWN, '?').replace(GLOB, '*');
    }

    /** The fields {@code words} expand to, in order. */
    List<String> fields(List<Word> words, ShellState st) {
        List<String> out = new ArrayList<>();
        for (Word w : words) out.addAll(expand(w, st, false));
        return out;
    }

    /** The fields of one word; {@code assignment}: no splitting and no globbing, tilde after '='. */
    List<String> expand(Word word, ShellState st, boolean assignment) {
        if (!assignment && word.parts().size() == 1 && word.parts().getFirst() instanceof Lit l && !l.quoted()) {
            List<String> alternatives = braces(l.text(), 0);
            if (alternatives.size() > 1) {
                List<String> out = new ArrayList<>();
                for (String alt : alternatives) out.addAll(expand(new Word(List.of(new Lit(alt, false))), st, false));
                return out;
            }
        }
        List<StringBuilder> fields = new ArrayList<>();
        fields.add(new StringBuilder());
        boolean produced = false;
        List<Part> parts = word.parts();
        for (int i = 0; i < parts.size(); i++) {
            Part part = parts.get(i);
            switch (part) {
                case Lit l -> {
                    String text = l.text();
                    if (!l.quoted() && i == 0 && text.startsWith("~")) text = tilde(text, st, parts.size() > 1);
                    fields.getLast().append(l.quoted() || assignment ? text : markGlobs(text));
                    produced = true;
                }
                case Param p -> {
                    List<String> values = param(p, st);
                    boolean split = !p.quoted() && !assignment;
                    if (p.quoted() && (p.name().equals("*") ) && values.size() > 1) values = List.of(String.join(" ", values));
                    appendValues(fields, values, split);
                    produced = true;
                }
                case CommandSub c -> {
                    fields.getLast().append(substitution(c, st));
                    produced = true;
                }
                case ShellAst.Unknown u -> {
                    fields.getLast().append(UNKNOWN);
                    produced = true;
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (StringBuilder b : fields) {
            // an unquoted expansion that came out empty is no field at all ("rm -rf $EMPTY/" keeps its "/")
            if (!b.isEmpty() || word.parts().stream().anyMatch(p -> p instanceof Lit l && l.quoted() || p instanceof Param q && q.quoted())) {
                out.add(b.toString());
            }
        }
        if (!produced) return List.of();
        return out;
    }

    /** Each value after the first starts a new field (an array, "$@", a loop variable's alternatives). */
    /** Brace expansion of an unquoted literal ({@code {~,/tmp}/x}, {@code a{b,c}d}), first group outward; capped. */
    static List<String> braces(String text, int depth) {
        int open = text.indexOf('{');
        if (open < 0 || depth > 4) return List.of(text);
        int level = 0;
        List<Integer> commas = new ArrayList<>();
        for (int i = open; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{') level++;
            else if (c == '}' && --level == 0) {
                if (commas.isEmpty()) return List.of(text);
                String pre = text.substring(0, open);
                String post = text.substring(i + 1);
                List<String> out = new ArrayList<>();
                int from = open + 1;
                commas.add(i);
                for (int comma : commas) {
                    for (String alt : braces(pre + text.substring(from, comma) + post, depth + 1)) {
                        if (out.size() < 64) out.add(alt);
                    }
                    from = comma + 1;
                }
                return out;
            } else if (c == ',' && level == 1) commas.add(i);
        }
        return List.of(text);
    }

    private static void appendValues(List<StringBuilder> fields, List<String> values, boolean split) {
        boolean first = true;
        for (String v : values) {
            List<String> pieces = split ? splitUnquoted(v) : List.of(v);
            for (String piece : pieces) {
                if (!first) fields.add(new StringBuilder());
                fields.getLast().append(split ? markGlobs(piece) : piece);
                first = false;
            }
        }
    }

    private static List<String> splitUnquoted(String v) {
        List<String> out = new ArrayList<>();
        for (String s : v.split("[ \t\n]+")) if (!s.isEmpty()) out.add(s);
        if (out.isEmpty()) out.add("");
        return out;
    }

    private String tilde(String text, ShellState st, boolean moreParts) {
        int slash = text.indexOf('/');
        String user = slash < 0 ? text.substring(1) : text.substring(1, slash);
        String rest = slash < 0 ? "" : text.substring(slash);
        String dir;
        if (user.isEmpty()) dir = st.home();
        else if (user.equals("+")) dir = st.cwd == null ? String.valueOf(UNKNOWN) : st.cwd;
        else if (user.equals("-")) dir = String.valueOf(UNKNOWN);
        else if (user.equals("root")) dir = "/root";
        else if (user.matches("[A-Za-z_][A-Za-z0-9_.-]*")) dir = "/home/" + user;
        else return text;
        if (slash < 0 && moreParts) return text; // ~"x": not a tilde prefix
        return dir + rest;
    }

    static String markGlobs(String text) {
        StringBuilder b = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{') {
                if (b == null) b = new StringBuilder(text.substring(0, i));
                b.append(GLOB);
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? text : b.toString();
    }

    private List<String> param(Param p, ShellState st) {
        String name = p.name();
        List<String> value = lookup(name, st);
        if (p.op() == null) return value == null ? List.of("") : value;
        boolean empty = value == null || value.isEmpty() || value.size() == 1 && value.getFirst().isEmpty();
        boolean unset = value == null;
        return switch (p.op()) {
            case ":-", ":=" -> empty ? expandArg(p, st, name, p.op().equals(":=")) : value;
            case "-", "=" -> unset ? expandArg(p, st, name, p.op().equals("=")) : value;
            case ":+" -> empty ? List.of("") : expandArg(p, st, null, false);
            case "+" -> unset ? List.of("") : expandArg(p, st, null, false);
            default -> List.of(String.valueOf(UNKNOWN));
        };
    }

    private List<String> expandArg(Param p, ShellState st, String assignTo, boolean assign) {
        List<String> v = List.of(String.join(" ", expand(p.arg(), st, true)));
        if (assign && assignTo != null) st.vars.put(assignTo, v);
        return v;
    }

    /** The value of a parameter, or a one-element list holding "" when unset (null only inside {@link #param}). */
    private List<String> lookup(String name, ShellState st) {
        List<String> assigned = st.vars.get(name);
        if (assigned != null) return assigned;
        switch (name) {
            case "@", "*" -> {
                return st.positional == null ? List.of(String.valueOf(UNKNOWN)) : st.positional;
            }
            case "PWD" -> {
                return List.of(st.cwd == null ? String.valueOf(UNKNOWN) : st.cwd);
            }
            case "OLDPWD", "?unknown", "REPLY" -> {
                return List.of(String.valueOf(UNKNOWN));
            }
            case "#", "?", "$", "!", "-", "RANDOM", "SECONDS", "LINENO", "BASHPID", "PPID", "UID", "EUID", "SRANDOM" -> {
                return List.of("1"); // numbers: never a path
            }
            case "0" -> {
                return List.of("bash");
            }
            default -> {
                if (name.length() == 1 && Character.isDigit(name.charAt(0))) {
                    if (st.positional == null) return List.of(String.valueOf(UNKNOWN));
                    int i = name.charAt(0) - '1';
                    return i < st.positional.size() ? List.of(st.positional.get(i)) : List.of("");
                }
                if (name.equals("HOME")) return List.of(st.home());
                String env = st.env.get(name);
                return env == null ? null : List.of(env);
            }
        }
    }

    private String substitution(CommandSub c, ShellState st) {
        if (c.process()) {
            analyzer.script(c.script(), st.copy());
            return "/dev/fd/63";
        }
        String known = knownOutput(c, st);
        analyzer.script(c.script(), st.copy());
        return known != null ? known : String.valueOf(UNKNOWN);
    }

    /** {@code $(pwd)} and {@code $(echo words)}: output the gate can compute; null for anything else. */
    private String knownOutput(CommandSub c, ShellState st) {
        if (c.script().pipelines().size() != 1) return null;
        Pipeline p = c.script().pipelines().getFirst();
        if (p.commands().size() != 1 || !(p.commands().getFirst() instanceof Simple s) || !s.redirects().isEmpty() || s.words().isEmpty()) return null;
        String name = s.words().getFirst().literalText();
        if ("pwd".equals(name) && s.words().size() == 1) return st.cwd;
        if ("echo".equals(name)) {
            List<String> args = fields(s.words().subList(1, s.words().size()), st.copy());
            if (!args.isEmpty() && args.getFirst().startsWith("-")) return null;
            return String.join(" ", args);
        }
        return null;
    }
}
