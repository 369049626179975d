package dev.agentkernel.runner.bus.shell;

import dev.agentkernel.runner.bus.shell.ShellAst.Group;
import dev.agentkernel.runner.bus.shell.ShellAst.Pipeline;
import dev.agentkernel.runner.bus.shell.ShellAst.Script;
import dev.agentkernel.runner.bus.shell.ShellAst.Simple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The shell grammar the gate reads: words, quotes, lists, groups, substitutions, redirections, here-docs. */
class ShellParserTest {
    private static final Map<String, String> ENV = Map.of("HOME", "/home/agent", "GREETING", "hi there");

    /** Every simple command's expanded words, in walking order (substitutions expanded as the gate does). */
    private static List<List<String>> argv(String command) {
        Script s = ShellParser.parse(command);
        List<List<String>> out = new ArrayList<>();
        collect(s, out, new ShellState("/ws", new HashMap<>(), null, new HashSet<>(), ENV));
        return out;
    }

    private static void collect(Script s, List<List<String>> out, ShellState st) {
        Expander ex = new Expander(null);
        for (Pipeline p : s.pipelines()) {
            for (var c : p.commands()) {
                if (c instanceof Simple simple && !simple.words().isEmpty()) {
                    out.add(ex.fields(simple.words(), st).stream().map(Expander::display).toList());
                } else if (c instanceof Group g) {
                    collect(g.body(), out, st);
                }
            }
        }
    }

    @Test
    void quotesEscapesAndExpansionsMakeTheWordsBashWould() {
        assertEquals(List.of(List.of("echo", "a b", "c", "d\"e", "it's", "x y")),
                argv("echo 'a b' c \"d\\\"e\" it\\'s \"x\"\\ y"));
        assertEquals(List.of(List.of("echo", "rm", "-rf")), argv("echo $'\\x72\\x6d' $'-\\162f'"));
        assertEquals(List.of(List.of("echo", "/home/agent/x", "~/y", "/home/agent")), argv("echo ~/x '~/y' $HOME"));
        assertEquals(List.of(List.of("echo", "hi", "there", "hi there")), argv("echo $GREETING \"$GREETING\""));
        assertEquals(List.of(List.of("ls", "*.txt")), argv("ls *.txt"));
        assertEquals(List.of(List.of("ls", "a/x", "b/x")), argv("ls {a,b}/x"));
    }

    @Test
    void listsPipesGroupsAndSubshellsAreAllKept() {
        assertEquals(List.of(List.of("a"), List.of("b"), List.of("c"), List.of("d"), List.of("e"), List.of("f"), List.of("g")),
                argv("a; b && c || d | e & (f) ; { g; }"));
        Script s = ShellParser.parse("cd x | (y) 2>&1 > out");
        assertEquals(2, s.pipelines().getFirst().commands().size());
        assertTrue(((Group) s.pipelines().getFirst().commands().get(1)).subshell());
        assertEquals(2, ((Group) s.pipelines().getFirst().commands().get(1)).redirects().size());
    }

    @Test
    void substitutionsAreParsedAsCommandsOfTheirOwn() {
        Script s = ShellParser.parse("rm -rf \"$(cat list | head -1)\" `echo b`");
        var words = ((Simple) s.pipelines().getFirst().commands().getFirst()).words();
        var sub = (ShellAst.CommandSub) words.get(2).parts().getFirst();
        assertEquals(2, sub.script().pipelines().getFirst().commands().size(), "cat | head inside $( )");
        assertTrue(sub.quoted());
        assertInstanceOf(ShellAst.CommandSub.class, words.get(3).parts().getFirst());
    }

    @Test
    void redirectionsHereStringsAndHereDocsAreRecognised() {
        Simple s = (Simple) ShellParser.parse("cat <<'EOF' > out.txt 2>>err.log\nrm -rf $HOME\nEOF\necho next")
                .pipelines().getFirst().commands().getFirst();
        assertEquals(List.of("<<", ">", ">>"), s.redirects().stream().map(ShellAst.Redirect::op).toList());
        assertEquals("rm -rf $HOME\n", s.redirects().getFirst().body().text().literalText(), "a quoted delimiter: no expansion");
        Simple h = (Simple) ShellParser.parse("bash <<< \"echo $HOME\"").pipelines().getFirst().commands().getFirst();
        assertEquals("<<<", h.redirects().getFirst().op());
        assertTrue(h.redirects().getFirst().feedsStdin());
        assertEquals(List.of(List.of("cat"), List.of("echo", "next")),
                argv("cat <<EOF\nline $HOME\nEOF\necho next"));
    }

    @Test
    void assignmentsForLoopsAndFunctionsAreParsed() {
        Simple a = (Simple) ShellParser.parse("D=~/x E=\"a b\" cmd").pipelines().getFirst().commands().getFirst();
        assertEquals(List.of("D", "E"), a.assigns().stream().map(ShellAst.Assign::name).toList());
        var f = (ShellAst.ForHeader) ShellParser.parse("for f in a b; do rm \"$f\"; done").pipelines().getFirst().commands().getFirst();
        assertEquals("f", f.variable());
        assertEquals(2, f.items().size());
        assertEquals(List.of(List.of("rm", "-rf", "x")), argv("f() { rm -rf x; }"));
        assertEquals(List.of(List.of("rm", "x")), argv("if [[ -f x && a < b ]]; then rm x; fi"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"echo 'unterminated", "echo \"unterminated", "(echo a", "echo $(ls", "echo `ls", "echo ${HOME"})
    void brokenShellIsATypedError(String command) {
        ShellSyntaxException e = assertThrows(ShellSyntaxException.class, () -> ShellParser.parse(command));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void deepNestingIsRefusedNotAStackOverflow() {
        String deep = "echo " + "$(".repeat(200) + "x" + ")".repeat(200);
        assertThrows(ShellSyntaxException.class, () -> ShellParser.parse(deep));
    }
}
