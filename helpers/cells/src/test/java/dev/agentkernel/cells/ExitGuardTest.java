package dev.agentkernel.cells;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ExitGuardTest {
    @Test
    void findsExitCalls() {
        assertEquals("System.exit(", ExitGuard.findExitCall("int a;\nSystem . exit (1);").orElseThrow().call());
        assertEquals(7, ExitGuard.findExitCall("int a;\nSystem.exit(1);").orElseThrow().offset());
        assertEquals("Runtime.getRuntime().halt(", ExitGuard.findExitCall("Runtime.getRuntime().halt(0)").orElseThrow().call());
        assertEquals("Runtime.getRuntime().exit(", ExitGuard.findExitCall("Runtime.getRuntime()\n  .exit(0)").orElseThrow().call());
    }

    @Test
    void ignoresCommentsStringsAndLookalikes() {
        assertTrue(ExitGuard.findExitCall("// System.exit(0)\n/* System.exit(1) */ String s = \"System.exit(2)\";").isEmpty());
        assertTrue(ExitGuard.findExitCall("String t = \"\"\"\nSystem.exit(3)\n\"\"\"; char c = '\"';").isEmpty());
        assertTrue(ExitGuard.findExitCall("mySystem.exit(1); machine.halt();").isEmpty());
    }
}
