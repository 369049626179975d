package dev.agentkernel.fakellm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DirectivesTest {

    @Test
    void plainTextHasNoDirectives() throws Exception {
        Directives d = Directives.parse("just   a question");
        assertNull(d.reply());
        assertTrue(d.bashCommands().isEmpty());
        assertNull(d.errorStatus());
        assertNull(d.flakyStatus());
        assertNull(d.chunks());
        assertEquals(0, d.slowMillis());
        assertFalse(d.think());
        assertEquals("just a question", d.plainText());
    }

    @Test
    void parsesEveryDirectiveAndStripsThemFromTheEchoText() throws Exception {
        Directives d = Directives.parse("hi [[slow: 25]] [[think]] [[chunks: 7]] [[flaky: 529 3]] there");
        assertEquals(25, d.slowMillis());
        assertTrue(d.think());
        assertEquals(7, d.chunks());
        assertEquals(529, d.flakyStatus());
        assertEquals(3, d.flakyCount());
        assertEquals("hi there", d.plainText());
    }

    @Test
    void replyAndBashRunToTheClosingBracketsAndMayContainNewlinesAndBrackets() throws Exception {
        Directives d = Directives.parse("[[reply: line1\n[link](x) a[0]]] [[bash: test -f a ]] && ls]] [[bash:   echo 2 ]]");
        assertEquals("line1\n[link](x) a[0", d.reply()); // the first "]]" closes it
        assertEquals(List.of("test -f a"), d.bashCommands().subList(0, 1));
        assertEquals("echo 2", d.bashCommands().get(1));
    }

    @Test
    void errorStatusesOutsideTheErrorRangeAreRejectedWithAnExample() {
        BadRequestException e = assertThrows(BadRequestException.class, () -> Directives.parse("[[error: 200]]"));
        assertTrue(e.getMessage().contains("[[error: 429]]"), e.getMessage());
        assertThrows(BadRequestException.class, () -> Directives.parse("[[flaky: 302 1]]"));
        assertThrows(BadRequestException.class, () -> Directives.parse("[[chunks: 9999999]]"));
    }

    @Test
    void malformedDirectivesAreJustText() throws Exception {
        Directives d = Directives.parse("[[error: soon]] [[slow]]");
        assertNull(d.errorStatus());
        assertEquals(0, d.slowMillis());
    }
}
