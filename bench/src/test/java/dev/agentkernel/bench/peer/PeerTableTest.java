package dev.agentkernel.bench.peer;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerTableTest {

    @Test
    void rowShowsMediansRatioAndQuartiles() {
        PeerRow row = new PeerRow("start → ready", PeerRow.Unit.MS, List.of(150.0, 160.0, 170.0, 500.0), List.of(600.0, 640.0, 700.0, 650.0), "—");
        assertEquals("160 ms", row.oursCell());
        assertEquals("640 ms", row.peerCell());
        assertEquals("0.25×", row.ratioCell());
        assertEquals(0.25, row.ratio(), 1e-9);
        assertEquals("150 ms–170 ms (n=4); 600 ms–650 ms (n=4)", row.spreadCell());
    }

    @Test
    void oursAloneHasNoRatio() {
        PeerRow row = new PeerRow("first token, LLM server direct", PeerRow.Unit.MS, List.of(1.25), List.of(), "—");
        assertEquals("1.3 ms", row.oursCell());
        assertEquals("—", row.peerCell());
        assertEquals("—", row.ratioCell());
        assertTrue(Double.isNaN(row.ratio()));
        assertEquals("n=1", row.spreadCell());
    }

    @Test
    void unitsFormat() {
        assertEquals("61 MB", new PeerRow("m", PeerRow.Unit.MB, List.of(61.2), List.of(), "").oursCell());
        assertEquals("28,450 /s", new PeerRow("m", PeerRow.Unit.PER_SECOND, List.of(28450.4), List.of(), "").oursCell());
    }

    @Test
    void tableHasOneLinePerRowAndEscapesPipes() {
        String table = PeerTable.render("pi", List.of(
                new PeerRow("a | b", PeerRow.Unit.MS, List.of(10.0), List.of(5.0), "≤ 1.0×"),
                new PeerRow("c", PeerRow.Unit.MB, List.of(60.0), List.of(120.0), "≤ 0.5×")));
        List<String> lines = table.lines().toList();
        assertEquals("| metric | ours | pi | ours/pi | spread p25–p75 (ours; pi) | target |", lines.get(0));
        assertEquals(4, lines.size());
        assertEquals("| a \\| b | 10.0 ms | 5.0 ms | 2.00× | n=1; n=1 | ≤ 1.0× |", lines.get(2));
        assertEquals("| c | 60 MB | 120 MB | 0.50× | n=1; n=1 | ≤ 0.5× |", lines.get(3));
    }
}
