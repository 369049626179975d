package dev.agentkernel.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StatsTest {

    @Test
    void nearestRankPercentilesAreMeasuredValues() {
        List<Double> samples = List.of(5.0, 1.0, 4.0, 2.0, 3.0, 10.0, 9.0, 8.0, 7.0, 6.0);
        assertEquals(5.0, Stats.percentile(samples, 50));
        assertEquals(10.0, Stats.percentile(samples, 95));
        assertEquals(1.0, Stats.percentile(samples, 1));
        assertEquals(10.0, Stats.percentile(samples, 100));
        assertEquals(7.0, Stats.median(List.of(7.0)));
    }

    @Test
    void emptyOrOutOfRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Stats.percentile(List.of(), 50));
        assertThrows(IllegalArgumentException.class, () -> Stats.percentile(List.of(1.0), 0));
        assertThrows(IllegalArgumentException.class, () -> Stats.percentile(List.of(1.0), 101));
    }

    @Test
    void millisecondsAreFormattedForReading() {
        assertEquals("12.3 ms", Stats.ms(12.34));
        assertEquals("1234 ms", Stats.ms(1234.4));
    }
}
