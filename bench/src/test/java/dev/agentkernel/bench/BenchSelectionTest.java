package dev.agentkernel.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchSelectionTest {

    private static List<String> names(List<BenchSection> sections) {
        return sections.stream().map(BenchSection::name).toList();
    }

    @Test
    void everySectionByDefaultInTableOrder() {
        assertEquals(List.of("spawn", "rss", "first-token", "throughput", "many"), names(Bench.select(List.of())));
    }

    @Test
    void onlyKeepsTableOrderWhateverTheOrderAsked() {
        assertEquals(List.of("spawn", "throughput"), names(Bench.select(List.of("throughput", "spawn"))));
    }

    @Test
    void unknownSectionNamesTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Bench.select(List.of("spwan")));
        assertEquals("unknown benchmark section 'spwan'; choose from spawn, rss, first-token, throughput, many", e.getMessage());
    }

    @Test
    void optionsMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BenchOptions(0, 20, 5, 100, null, "local"));
        assertTrue(e.getMessage().contains("samples must be at least 1, got 0"), e.getMessage());
    }
}
