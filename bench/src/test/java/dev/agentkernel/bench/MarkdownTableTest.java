package dev.agentkernel.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MarkdownTableTest {

    @Test
    void rendersHeaderSeparatorAndEscapedCells() {
        String table = MarkdownTable.render(List.of(
                new BenchRow("spawn p50", "812 ms", "≤ 1000 ms"),
                new BenchRow("a|b", "two\nlines", null)));
        assertEquals("""
                | metric | result | target |
                |---|---|---|
                | spawn p50 | 812 ms | ≤ 1000 ms |
                | a\\|b | two lines |  |
                """, table);
    }
}
