package dev.agentkernel.jupyter;

import io.github.spencerpark.jupyter.kernel.history.HistoryEntry;
import io.github.spencerpark.jupyter.kernel.history.HistoryManager.ResultFlag;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class HistoryLogTest {
    private final HistoryLog log = new HistoryLog();

    {
        log.add(1, "6*7", "42");
        log.add(2, "int x = 1;", "");
        log.add(3, "6*7", "42");
    }

    private static List<String> inputs(List<HistoryEntry> entries) {
        return entries.stream().map(HistoryEntry::getInput).toList();
    }

    @Test
    void tailRangeAndSearch() {
        Set<ResultFlag> none = EnumSet.noneOf(ResultFlag.class);
        assertEquals(List.of("int x = 1;", "6*7"), inputs(log.lookupTail(2, none)));
        assertEquals(List.of("int x = 1;"), inputs(log.lookupRange(0, 2, 3, none)));
        assertEquals(List.of(), log.lookupRange(7, 1, 3, none), "another session has no cells here");
        assertEquals(2, log.search("6?7", 10, none).size());
        assertEquals(1, log.search("6?7", 10, EnumSet.of(ResultFlag.UNIQUE)).size());
        assertEquals(3, log.search("*", 0, none).size());
        assertEquals(List.of("int x = 1;"), inputs(log.search("int*", 5, none)));
    }

    @Test
    void outputIsIncludedOnRequest() {
        HistoryEntry entry = log.lookupTail(1, EnumSet.of(ResultFlag.INCLUDE_OUTPUT)).get(0);
        assertTrue(entry.hasOutput());
        assertEquals("42", entry.getOutput());
        assertFalse(log.lookupTail(1, EnumSet.noneOf(ResultFlag.class)).get(0).hasOutput());
    }

    @Test
    void globIsLiteralExceptWildcards() {
        assertTrue(HistoryLog.globToRegex("a.b*").matcher("a.bcd").matches());
        assertFalse(HistoryLog.globToRegex("a.b*").matcher("axbcd").matches());
    }
}
