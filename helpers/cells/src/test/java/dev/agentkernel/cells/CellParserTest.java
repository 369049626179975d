package dev.agentkernel.cells;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CellParserTest {
    @Test
    void plainJavaIsOneBlock() {
        assertEquals(List.of(new CodeBlock("int x = 1;\nx", 1)), CellParser.parse("int x = 1;\nx"));
        assertEquals(List.of(), CellParser.parse("  \n"));
    }

    @Test
    void helpersBlocksKeepTheirCellLines() {
        List<CodeBlock> blocks = CellParser.parse("intro\n<helpers>\na();\n</helpers>\nmiddle\n<helpers>b();</helpers>");
        assertEquals(2, blocks.size());
        assertEquals(new CodeBlock("\na();\n", 2), blocks.get(0));
        assertEquals(new CodeBlock("b();", 6), blocks.get(1));
    }

    @Test
    void tagErrorsNameTheLine() {
        assertTrue(assertThrows(CellSyntaxException.class, () -> CellParser.parse("a\n<helpers>\nx();"))
                .getMessage().startsWith("Unclosed <helpers> tag on line 2"));
        assertTrue(assertThrows(CellSyntaxException.class, () -> CellParser.parse("<helpers>\n<helpers>"))
                .getMessage().startsWith("Nested <helpers> tag on line 2"));
        assertTrue(assertThrows(CellSyntaxException.class, () -> CellParser.parse("<helpers></helpers>\n</helpers>"))
                .getMessage().startsWith("Stray </helpers> on line 2"));
    }

    @Test
    void unclosedDetection() {
        assertTrue(CellParser.hasUnclosedBlock("<helpers>\nx"));
        assertFalse(CellParser.hasUnclosedBlock("<helpers>x</helpers>"));
    }
}
