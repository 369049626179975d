package dev.agentkernel.runner.bus.shell;

import java.util.List;

/**
 * The syntax tree {@link ShellParser} builds: the POSIX subset an agent's {@code bash -c} command uses. Control
 * flow is flattened (every branch may run, so the gate judges them all, in order); {@code &&}, {@code ||},
 * {@code ;} and {@code &} are not kept, since any of the joined commands may run.
 */
public final class ShellAst {
    private ShellAst() {}

    /** A command list: pipelines in source order. */
    public record Script(List<Pipeline> pipelines) {
        public Script {
            pipelines = List.copyOf(pipelines);
        }
    }

    /** Commands joined by {@code |}: each reads the previous one's output. */
    public record Pipeline(List<Command> commands) {
        public Pipeline {
            commands = List.copyOf(commands);
        }
    }

    public sealed interface Command permits Simple, Group, ForHeader {}

    /** {@code X=1 cmd args > file}: any of the three lists may be empty. */
    public record Simple(List<Assign> assigns, List<Word> words, List<Redirect> redirects) implements Command {
        public Simple {
            assigns = List.copyOf(assigns);
            words = List.copyOf(words);
            redirects = List.copyOf(redirects);
        }
    }

    /** {@code ( list )} (a subshell: its cd and variables do not leak) or {@code { list; }}. */
    public record Group(Script body, boolean subshell, List<Redirect> redirects) implements Command {
        public Group {
            redirects = List.copyOf(redirects);
        }
    }

    /** {@code for NAME in WORDS}: the loop variable takes each word; the body follows as ordinary commands. */
    public record ForHeader(String variable, List<Word> items) implements Command {
        public ForHeader {
            items = List.copyOf(items);
        }
    }

    /** {@code NAME=value}, {@code NAME+=value}, {@code NAME=(a b)} (then {@code values} has the elements). */
    public record Assign(String name, List<Word> values) {
        public Assign {
            values = List.copyOf(values);
        }
    }

    /**
     * {@code [fd]op target}. For here-docs and here-strings {@code body} is the text fed to stdin (a here-doc's
     * body is filled in when the parser reaches the line after the operator).
     */
    public record Redirect(int fd, String op, Word target, HereDoc body) {
        public boolean writes() {
            return op.equals(">") || op.equals(">>") || op.equals(">|") || op.equals("&>") || op.equals("&>>") || op.equals("<>");
        }

        public boolean feedsStdin() {
            return fd == 0 && (op.equals("<<") || op.equals("<<-") || op.equals("<<<") || op.equals("<"));
        }
    }

    /** A here-doc or here-string body: a word (expanded like a double-quoted string unless the delimiter was quoted). */
    public static final class HereDoc {
        private Word text = new Word(List.of());

        public Word text() {
            return text;
        }

        void set(Word text) {
            this.text = text;
        }
    }

    /** A shell word: literal, quoted, expanded and substituted parts, joined when expanded. */
    public record Word(List<Part> parts) {
        public Word {
            parts = List.copyOf(parts);
        }

        public static Word literal(String s) {
            return new Word(List.of(new Lit(s, true)));
        }

        /** The word's text when it has no expansions (quotes removed), else null. */
        public String literalText() {
            StringBuilder b = new StringBuilder();
            for (Part p : parts) {
                if (!(p instanceof Lit l)) return null;
                b.append(l.text());
            }
            return b.toString();
        }
    }

    public sealed interface Part permits Lit, Param, CommandSub, Unknown {}

    /** Text; {@code quoted} text is never globbed, split or tilde-expanded. */
    public record Lit(String text, boolean quoted) implements Part {}

    /**
     * {@code $NAME}, {@code ${NAME}}, {@code ${NAME:-word}} ({@code op} ":-", "-", ":=", "=", ":+", "+"; other
     * operators make the value unknown: op "?").
     */
    public record Param(String name, boolean quoted, String op, Word arg) implements Part {}

    /** {@code $(...)}, {@code `...`}, or a process substitution {@code <(...)}/{@code >(...)} ({@code process}). */
    public record CommandSub(Script script, boolean quoted, boolean process) implements Part {}

    /** A value the parser cannot know: arithmetic {@code $((...))}. */
    public record Unknown(String why, boolean quoted) implements Part {}
}
