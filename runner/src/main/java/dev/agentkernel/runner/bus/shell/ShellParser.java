package dev.agentkernel.runner.bus.shell;

import dev.agentkernel.runner.bus.shell.ShellAst.Assign;
import dev.agentkernel.runner.bus.shell.ShellAst.Command;
import dev.agentkernel.runner.bus.shell.ShellAst.CommandSub;
import dev.agentkernel.runner.bus.shell.ShellAst.ForHeader;
import dev.agentkernel.runner.bus.shell.ShellAst.Group;
import dev.agentkernel.runner.bus.shell.ShellAst.HereDoc;
import dev.agentkernel.runner.bus.shell.ShellAst.Lit;
import dev.agentkernel.runner.bus.shell.ShellAst.Param;
import dev.agentkernel.runner.bus.shell.ShellAst.Part;
import dev.agentkernel.runner.bus.shell.ShellAst.Pipeline;
import dev.agentkernel.runner.bus.shell.ShellAst.Redirect;
import dev.agentkernel.runner.bus.shell.ShellAst.Script;
import dev.agentkernel.runner.bus.shell.ShellAst.Simple;
import dev.agentkernel.runner.bus.shell.ShellAst.Unknown;
import dev.agentkernel.runner.bus.shell.ShellAst.Word;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A recursive-descent parser for the POSIX shell subset (plus the bash forms agents write): quotes ({@code '…'},
 * {@code "…"}, {@code $'…'}), backslash escapes, {@code ; & && || | |&}, newlines, {@code ( )} and {@code { }},
 * {@code $(…)}, backticks, {@code ${…}}, {@code $((…))}, process substitution, redirections ({@code < > >> >| <>
 * &> &>> n>&m}), here-strings and here-docs, assignments, {@code for … in}, functions, comments and line
 * continuations. {@code if/while/case} are flattened: their keywords are skipped and every branch is kept.
 *
 * <p>Hand-written because no maintained pure-JVM shell parser exists: the JVM options are JNI bindings of
 * tree-sitter-bash (a native library extracted at every runner start, inside sandboxes and pods, and an
 * error-tolerant tree that would still need this word-expansion layer). The gate runs on every tool call, so
 * this parser allocates little and never backtracks.
 */
public final class ShellParser {
    /** Commands nested this deep ($(…) in $(…) …) are refused: a real command never needs it. */
    private static final int MAX_DEPTH = 64;
    private static final Set<String> SKIPPED_KEYWORDS = Set.of("if", "then", "else", "elif", "fi", "while", "until",
            "do", "done", "esac", "!", "time", "}", "select", "coproc");

    private final String src;
    private int pos;
    private final int depth;
    /** Lists opened by this parser (groups and subshells): bounded, so no input can exhaust the stack. */
    private int lists;
    private final List<PendingHereDoc> pendingHereDocs = new ArrayList<>();

    private record PendingHereDoc(HereDoc body, String delimiter, boolean expand, boolean stripTabs) {}

    private ShellParser(String src, int depth) {
        if (depth > MAX_DEPTH) throw new ShellSyntaxException("commands are nested more than " + MAX_DEPTH + " deep");
        this.src = src;
        this.depth = depth;
    }

    /** @throws ShellSyntaxException when the command is not valid shell (unterminated quote, unbalanced parenthesis) */
    public static Script parse(String command) {
        ShellParser p = new ShellParser(command, 0);
        Script s = p.list(null);
        if (p.pos < p.src.length()) throw new ShellSyntaxException("unexpected '" + p.src.charAt(p.pos) + "' at offset " + p.pos);
        return s;
    }

    // ---- lists and commands -------------------------------------------------------------------------------

    /** Pipelines up to {@code closer} (")" or "}" or "`"-less end); the closer is left for the caller. */
    private Script list(String closer) {
        if (++lists > MAX_DEPTH * 8) throw new ShellSyntaxException("groups are nested more than " + MAX_DEPTH * 8 + " deep");
        List<Pipeline> pipelines = new ArrayList<>();
        while (true) {
            skipSeparators();
            if (pos >= src.length()) {
                if (closer != null) throw new ShellSyntaxException("missing '" + closer + "'");
                break;
            }
            char c = src.charAt(pos);
            if (closer != null && closer.equals(")") && c == ')') break;
            if (closer != null && closer.equals("}") && c == '}' && atWordEnd(pos + 1)) break;
            if (c == ')') { // a case pattern's ")": tolerated outside $(…)
                pos++;
                continue;
            }
            Pipeline p = pipeline(closer);
            if (!p.commands().isEmpty()) pipelines.add(p);
        }
        return new Script(pipelines);
    }

    private void skipSeparators() {
        while (pos < src.length()) {
            skipBlanks();
            if (pos >= src.length()) return;
            char c = src.charAt(pos);
            if (c == '\n') {
                pos++;
                readHereDocBodies();
            } else if (c == ';' || c == '&') {
                pos++;
            } else if (c == '|' && pos + 1 < src.length() && src.charAt(pos + 1) == '|') {
                pos += 2;
            } else {
                return;
            }
        }
    }

    private Pipeline pipeline(String closer) {
        List<Command> commands = new ArrayList<>();
        while (true) {
            Command c = command(closer);
            if (c != null) commands.add(c);
            skipBlanks();
            if (pos < src.length() && src.charAt(pos) == '|' && !src.startsWith("||", pos)) {
                pos += src.startsWith("|&", pos) ? 2 : 1;
                skipBlanksAndNewlines();
                continue;
            }
            return new Pipeline(commands);
        }
    }

    private Command command(String closer) {
        skipBlanks();
        if (pos >= src.length()) return null;
        char c = src.charAt(pos);
        if (c == '(' && src.startsWith("((", pos)) {
            skipArithmetic(pos + 2);
            return new Simple(List.of(), List.of(), redirects());
        }
        if (c == '(') {
            pos++;
            Script body = list(")");
            pos++;
            return new Group(body, true, redirects());
        }
        if (c == '{' && atWordEnd(pos + 1)) {
            pos++;
            Script body = list("}");
            pos++;
            return new Group(body, false, redirects());
        }
        return simple(closer);
    }

    private Command simple(String closer) {
        List<Assign> assigns = new ArrayList<>();
        List<Word> words = new ArrayList<>();
        List<Redirect> redirects = new ArrayList<>();
        while (true) {
            skipBlanks();
            if (pos >= src.length()) break;
            char c = src.charAt(pos);
            if (c == '\n' || c == ';' || c == '|' || c == ')' || (c == '&' && !src.startsWith("&>", pos))) break;
            if (c == '(' && words.size() == 1 && src.startsWith("()", pos)) {
                // name() { body }: the body is kept as commands of its own (a function may run)
                pos += 2;
                return null;
            }
            if (c == '(' && !words.isEmpty() && words.getFirst().literalText() != null) {
                throw new ShellSyntaxException("unexpected '(' at offset " + pos);
            }
            Redirect r = redirect();
            if (r != null) {
                redirects.add(r);
                continue;
            }
            if (c == '}' && closer != null && closer.equals("}") && atWordEnd(pos + 1) && words.isEmpty()) break;
            if (words.isEmpty()) {
                Assign a = assignment();
                if (a != null) {
                    assigns.add(a);
                    continue;
                }
            }
            int start = pos;
            Word w = word();
            if (w == null) throw new ShellSyntaxException("unexpected '" + c + "' at offset " + start);
            if (words.isEmpty() && assigns.isEmpty() && redirects.isEmpty()) {
                String kw = w.literalText();
                if (kw != null && isUnquotedWord(start, pos)) {
                    if (SKIPPED_KEYWORDS.contains(kw)) continue;
                    if (kw.equals("[[")) {
                        skipUntilWord("]]");
                        continue;
                    }
                    if (kw.equals("for")) return forHeader();
                    if (kw.equals("function")) { // function NAME [()] { body }: the body follows as commands
                        skipBlanks();
                        word();
                        skipBlanks();
                        if (src.startsWith("()", pos)) pos += 2;
                        return null;
                    }
                    if (kw.equals("case")) {
                        skipUntilWord("in");
                        return null;
                    }
                    if (kw.equals("{")) continue;
                }
            }
            words.add(w);
        }
        if (assigns.isEmpty() && words.isEmpty() && redirects.isEmpty()) return null;
        return new Simple(assigns, words, redirects);
    }

    private boolean isUnquotedWord(int start, int end) {
        for (int i = start; i < end; i++) {
            char ch = src.charAt(i);
            if (ch == '\'' || ch == '"' || ch == '\\' || ch == '$') return false;
        }
        return true;
    }

    private Command forHeader() {
        skipBlanks();
        if (src.startsWith("((", pos)) {
            skipArithmetic(pos + 2);
            return null;
        }
        Word nameWord = word();
        String name = nameWord == null ? null : nameWord.literalText();
        if (name == null) throw new ShellSyntaxException("for needs a variable name at offset " + pos);
        skipBlanksAndNewlines();
        List<Word> items = new ArrayList<>();
        if (src.startsWith("in", pos) && atWordEnd(pos + 2)) {
            pos += 2;
            while (true) {
                skipBlanks();
                if (pos >= src.length()) break;
                char c = src.charAt(pos);
                if (c == ';' || c == '\n' || c == '&' || c == '|' || c == ')') break;
                Word w = word();
                if (w == null) break;
                items.add(w);
            }
        } else {
            items.add(new Word(List.of(new Param("@", true, null, null))));
        }
        return new ForHeader(name, items);
    }

    private void skipUntilWord(String end) {
        while (true) {
            skipBlanksAndNewlines();
            if (pos >= src.length()) throw new ShellSyntaxException("missing '" + end + "'");
            if (src.startsWith(end, pos) && atWordEnd(pos + end.length())) {
                pos += end.length();
                return;
            }
            if (word() == null) pos++;
        }
    }

    private void skipArithmetic(int from) {
        int level = 2;
        int i = from;
        while (i < src.length() && level > 0) {
            char ch = src.charAt(i);
            if (ch == '(') level++;
            else if (ch == ')') level--;
            i++;
        }
        if (level > 0) throw new ShellSyntaxException("missing '))'");
        pos = i;
    }

    private Assign assignment() {
        int i = pos;
        if (i >= src.length() || !(Character.isLetter(src.charAt(i)) || src.charAt(i) == '_')) return null;
        while (i < src.length() && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '_')) i++;
        String name = src.substring(pos, i);
        if (i < src.length() && src.charAt(i) == '[') { // a[i]=x: an array element
            int close = src.indexOf(']', i);
            if (close < 0) return null;
            i = close + 1;
        }
        if (src.startsWith("+=", i)) i++;
        if (i >= src.length() || src.charAt(i) != '=') return null;
        pos = i + 1;
        if (pos < src.length() && src.charAt(pos) == '(') {
            pos++;
            List<Word> values = new ArrayList<>();
            while (true) {
                skipBlanksAndNewlines();
                if (pos >= src.length()) throw new ShellSyntaxException("missing ')' in the array assignment to " + name);
                if (src.charAt(pos) == ')') {
                    pos++;
                    break;
                }
                Word w = word();
                if (w == null) throw new ShellSyntaxException("unexpected '" + src.charAt(pos) + "' in an array");
                values.add(w);
            }
            return new Assign(name, values);
        }
        Word value = wordOrEmpty(true);
        return new Assign(name, List.of(value));
    }

    // ---- redirections -------------------------------------------------------------------------------------

    private Redirect redirect() {
        int i = pos;
        int fd = -1;
        while (i < src.length() && Character.isDigit(src.charAt(i))) i++;
        if (i > pos) {
            if (i >= src.length() || (src.charAt(i) != '<' && src.charAt(i) != '>')) return null;
            fd = Integer.parseInt(src.substring(pos, Math.min(i, pos + 4)));
        }
        String op = null;
        for (String candidate : new String[] {"&>>", "<<<", "<<-", "&>", ">>", ">|", ">&", "<&", "<>", "<<", ">", "<"}) {
            if (src.startsWith(candidate, i)) {
                op = candidate;
                break;
            }
        }
        if (op == null) return null;
        if ((op.equals("<") || op.equals(">")) && i + 1 < src.length() && src.charAt(i + 1) == '(') return null; // <( ) is a word
        pos = i + op.length();
        if (fd < 0) fd = op.startsWith("<") ? 0 : 1;
        skipBlanks();
        if (op.equals(">&") || op.equals("<&")) {
            int start = pos;
            while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '-')) pos++;
            if (pos > start && atWordEnd(pos)) return new Redirect(fd, op, Word.literal(src.substring(start, pos)), null);
            pos = start;
            op = op.equals(">&") ? "&>" : "<"; // >&file is &>file
        }
        if (op.equals("<<") || op.equals("<<-")) {
            int start = pos;
            Word delimiter = word();
            if (delimiter == null) throw new ShellSyntaxException("a here-doc needs a delimiter at offset " + start);
            String raw = src.substring(start, pos);
            boolean expand = raw.indexOf('\'') < 0 && raw.indexOf('"') < 0 && raw.indexOf('\\') < 0;
            String delim = delimiter.literalText() != null ? delimiter.literalText() : raw;
            HereDoc body = new HereDoc();
            pendingHereDocs.add(new PendingHereDoc(body, delim, expand, op.equals("<<-")));
            return new Redirect(0, op, delimiter, body);
        }
        Word target = word();
        if (target == null) throw new ShellSyntaxException("redirection " + op + " has no target at offset " + pos);
        if (op.equals("<<<")) {
            HereDoc body = new HereDoc();
            body.set(target);
            return new Redirect(0, op, target, body);
        }
        return new Redirect(fd, op, target, null);
    }

    /** Redirections after a group or an arithmetic command. */
    private List<Redirect> redirects() {
        List<Redirect> out = new ArrayList<>();
        while (true) {
            skipBlanks();
            if (pos >= src.length()) return out;
            Redirect r = redirect();
            if (r == null) return out;
            out.add(r);
        }
    }

    private void readHereDocBodies() {
        for (PendingHereDoc h : pendingHereDocs) {
            StringBuilder body = new StringBuilder();
            while (pos < src.length()) {
                int eol = src.indexOf('\n', pos);
                String line = eol < 0 ? src.substring(pos) : src.substring(pos, eol);
                pos = eol < 0 ? src.length() : eol + 1;
                String compared = h.stripTabs() ? line.replaceFirst("^\t+", "") : line;
                if (compared.equals(h.delimiter())) break;
                body.append(compared).append('\n');
            }
            h.body().set(h.expand() ? new ShellParser(body.toString(), depth + 1).doubleQuotedBody() : Word.literal(body.toString()));
        }
        pendingHereDocs.clear();
    }

    /** The whole source as the inside of a double-quoted string (a here-doc body with expansions). */
    /**
     * One step inside double-quote rules (a "..." string or an unquoted here-doc body): a backslash escapes
     * only the characters in {@code escapable} (backslash-newline joins lines), {@code $} and backticks
     * start expansions, anything else is literal.
     */
    private void doubleQuotedChar(String escapable, StringBuilder lit, List<Part> parts) {
        char c = src.charAt(pos);
        if (c == '\\' && pos + 1 < src.length() && escapable.indexOf(src.charAt(pos + 1)) >= 0) {
            if (src.charAt(pos + 1) != '\n') lit.append(src.charAt(pos + 1));
            pos += 2;
        } else if (c == '$' || c == '`') {
            Part p = dollarOrBacktick(true);
            if (p == null) {
                lit.append(c);
                pos++;
            } else {
                flush(lit, true, parts);
                parts.add(p);
            }
        } else {
            lit.append(c);
            pos++;
        }
    }

    private Word doubleQuotedBody() {
        List<Part> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        while (pos < src.length()) {
            doubleQuotedChar("$`\\\n", lit, parts);
        }
        flush(lit, true, parts);
        return new Word(parts);
    }

    // ---- words --------------------------------------------------------------------------------------------

    private Word word() {
        Word w = wordOrEmpty(false);
        return w.parts().isEmpty() ? null : w;
    }

    /** Reads one word; an empty word (nothing before a metacharacter) has no parts. */
    private Word wordOrEmpty(boolean assignmentValue) {
        List<Part> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        boolean any = false;
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '|' || c == '&' || c == ')') break;
            if ((c == '<' || c == '>') && !(pos + 1 < src.length() && src.charAt(pos + 1) == '(')) break;
            if (c == '(' ) {
                if (!parts.isEmpty() || !lit.isEmpty()) break; // name( : the caller decides
                break;
            }
            any = true;
            if (c == '\'') {
                int end = src.indexOf('\'', pos + 1);
                if (end < 0) throw new ShellSyntaxException("unterminated ' quote at offset " + pos);
                flush(lit, false, parts);
                parts.add(new Lit(src.substring(pos + 1, end), true));
                pos = end + 1;
            } else if (c == '"') {
                flush(lit, false, parts);
                pos++;
                doubleQuoted(parts);
            } else if (c == '\\') {
                if (pos + 1 >= src.length()) {
                    pos++;
                } else if (src.charAt(pos + 1) == '\n') {
                    pos += 2;
                } else {
                    flush(lit, false, parts);
                    parts.add(new Lit(String.valueOf(src.charAt(pos + 1)), true));
                    pos += 2;
                }
            } else if (c == '$' && src.startsWith("$'", pos)) {
                flush(lit, false, parts);
                parts.add(new Lit(ansiC(), true));
            } else if (c == '$' && src.startsWith("$\"", pos)) {
                pos++; // $"…" is a translated "…"
            } else if (c == '$' || c == '`') {
                Part p = dollarOrBacktick(false);
                if (p == null) {
                    lit.append(c);
                    pos++;
                } else {
                    flush(lit, false, parts);
                    parts.add(p);
                }
            } else if ((c == '<' || c == '>') && pos + 1 < src.length() && src.charAt(pos + 1) == '(') {
                flush(lit, false, parts);
                pos += 2;
                Script s = new ShellParser(src, depth + 1).subList(this, ")");
                parts.add(new CommandSub(s, false, true));
            } else {
                lit.append(c);
                pos++;
            }
        }
        flush(lit, false, parts);
        if (!any && assignmentValue) return new Word(List.of(new Lit("", true)));
        return new Word(parts);
    }

    private void doubleQuoted(List<Part> parts) {
        StringBuilder lit = new StringBuilder();
        while (true) {
            if (pos >= src.length()) throw new ShellSyntaxException("unterminated \" quote");
            char c = src.charAt(pos);
            if (c == '"') {
                pos++;
                break;
            }
            doubleQuotedChar("$`\"\\\n", lit, parts);
        }
        flush(lit, true, parts);
        if (parts.isEmpty()) parts.add(new Lit("", true)); // "" is an empty word, not no word
    }

    /** A $-expansion or a backtick substitution at pos, or null when the $ is a literal dollar. */
    private Part dollarOrBacktick(boolean quoted) {
        char c = src.charAt(pos);
        if (c == '`') {
            StringBuilder inner = new StringBuilder();
            int i = pos + 1;
            while (true) {
                if (i >= src.length()) throw new ShellSyntaxException("unterminated ` at offset " + pos);
                char ch = src.charAt(i);
                if (ch == '`') break;
                if (ch == '\\' && i + 1 < src.length() && "`\\$".indexOf(src.charAt(i + 1)) >= 0) {
                    inner.append(src.charAt(i + 1));
                    i += 2;
                    continue;
                }
                inner.append(ch);
                i++;
            }
            pos = i + 1;
            return new CommandSub(parseNested(inner.toString()), quoted, false);
        }
        if (pos + 1 >= src.length()) return null;
        char n = src.charAt(pos + 1);
        if (n == '(' && src.startsWith("$((", pos)) {
            skipArithmetic(pos + 3);
            return new ShellAst.Unknown("arithmetic", quoted);
        }
        if (n == '(') {
            pos += 2;
            Script s = new ShellParser(src, depth + 1).subList(this, ")");
            return new CommandSub(s, quoted, false);
        }
        if (n == '{') return braceParam(quoted);
        if (Character.isLetter(n) || n == '_') {
            int i = pos + 1;
            while (i < src.length() && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '_')) i++;
            String name = src.substring(pos + 1, i);
            pos = i;
            return new Param(name, quoted, null, null);
        }
        if (Character.isDigit(n) || "@*#?$!-".indexOf(n) >= 0) {
            pos += 2;
            return new Param(String.valueOf(n), quoted, null, null);
        }
        return null;
    }

    /** Parses a nested list starting at the outer parser's position, then moves the outer parser past it. */
    private Script subList(ShellParser outer, String closer) {
        this.pos = outer.pos;
        Script s = list(closer);
        outer.pos = this.pos + 1;
        return s;
    }

    private Script parseNested(String text) {
        ShellParser p = new ShellParser(text, depth + 1);
        Script s = p.list(null);
        if (p.pos < text.length()) throw new ShellSyntaxException("unexpected '" + text.charAt(p.pos) + "' in a substitution");
        return s;
    }

    private Part braceParam(boolean quoted) {
        int i = pos + 2;
        int start = i;
        boolean length = i < src.length() && src.charAt(i) == '#';
        boolean indirect = i < src.length() && src.charAt(i) == '!';
        if (length || indirect) start = ++i;
        while (i < src.length() && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '_' || "@*?$!-".indexOf(src.charAt(i)) >= 0 && i == start)) i++;
        String name = src.substring(start, i);
        // the rest up to the matching }, nested braces and quotes respected
        int level = 1;
        int j = i;
        while (j < src.length() && level > 0) {
            char ch = src.charAt(j);
            if (ch == '\\') j++;
            else if (ch == '\'' && !quoted) {
                int end = src.indexOf('\'', j + 1);
                if (end < 0) throw new ShellSyntaxException("unterminated ' quote in ${");
                j = end;
            } else if (ch == '{') level++;
            else if (ch == '}') level--;
            j++;
        }
        if (level > 0) throw new ShellSyntaxException("missing '}' in ${ at offset " + pos);
        String rest = src.substring(i, j - 1);
        pos = j;
        if (length) return new ShellAst.Unknown("${#…}", quoted);
        if (indirect || name.isEmpty()) return new Param(name.isEmpty() ? "?unknown" : name, quoted, "?", null);
        if (rest.isEmpty() || rest.startsWith("[")) return new Param(name, quoted, rest.isEmpty() ? null : "?", null);
        if (rest.equals(":?") || rest.equals("?") || rest.startsWith(":?") || rest.startsWith("?")) {
            return new Param(name, quoted, null, null); // ${X:?message}: the value, or the shell stops
        }
        for (String op : new String[] {":-", ":=", ":+", "-", "=", "+"}) {
            if (rest.startsWith(op)) {
                ShellParser p = new ShellParser(rest.substring(op.length()), depth + 1);
                return new Param(name, quoted, op, p.doubleQuotedBody());
            }
        }
        return new Param(name, quoted, "?", null); // ${X#pre} ${X/a/b} …: a transformed value we do not compute
    }

    private String ansiC() {
        StringBuilder out = new StringBuilder();
        int i = pos + 2;
        while (true) {
            if (i >= src.length()) throw new ShellSyntaxException("unterminated $' quote at offset " + pos);
            char c = src.charAt(i);
            if (c == '\'') break;
            if (c != '\\' || i + 1 >= src.length()) {
                out.append(c);
                i++;
                continue;
            }
            char e = src.charAt(i + 1);
            i += 2;
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'e', 'E' -> out.append('\u001b');
                case 'f' -> out.append('\f');
                case 'v' -> out.append('\u000b');
                case 'x' -> {
                    int end = i;
                    while (end < src.length() && end < i + 2 && Character.digit(src.charAt(end), 16) >= 0) end++;
                    if (end == i) out.append("\\x");
                    else out.append((char) Integer.parseInt(src.substring(i, end), 16));
                    i = end;
                }
                case 'u', 'U' -> {
                    int max = e == 'u' ? 4 : 8;
                    int end = i;
                    while (end < src.length() && end < i + max && Character.digit(src.charAt(end), 16) >= 0) end++;
                    if (end == i) out.append('\\').append(e);
                    else out.appendCodePoint(Integer.parseInt(src.substring(i, end), 16));
                    i = end;
                }
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    int end = i - 1;
                    while (end < src.length() && end < i + 2 && src.charAt(end) >= '0' && src.charAt(end) <= '7') end++;
                    out.append((char) Integer.parseInt(src.substring(i - 1, end), 8));
                    i = end;
                }
                default -> out.append(e);
            }
        }
        pos = i + 1;
        return out.toString();
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static void flush(StringBuilder lit, boolean quoted, List<Part> parts) {
        if (!lit.isEmpty()) {
            parts.add(new Lit(lit.toString(), quoted));
            lit.setLength(0);
        }
    }

    private boolean atWordEnd(int i) {
        return i >= src.length() || " \t\n;&|()<>".indexOf(src.charAt(i)) >= 0;
    }

    private void skipBlanks() {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\r') {
                pos++;
            } else if (c == '\\' && pos + 1 < src.length() && src.charAt(pos + 1) == '\n') {
                pos += 2;
            } else if (c == '#' && (pos == 0 || " \t\n;&|(".indexOf(src.charAt(pos - 1)) >= 0)) {
                while (pos < src.length() && src.charAt(pos) != '\n') pos++;
            } else {
                return;
            }
        }
    }

    private void skipBlanksAndNewlines() {
        while (true) {
            skipBlanks();
            if (pos < src.length() && src.charAt(pos) == '\n') {
                pos++;
                readHereDocBodies();
            } else {
                return;
            }
        }
    }
}
