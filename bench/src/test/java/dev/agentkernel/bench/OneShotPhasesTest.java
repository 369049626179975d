package dev.agentkernel.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OneShotPhasesTest {

    @Test
    void spansBetweenLaunchPhasesAndExit() {
        String line = "oneshot-phases: main=1040 built=1230 spawned=1580 asked=2140 killed=2470 closed=2475";
        assertEquals("launch→main 40 ms, main→built 190 ms, built→spawned 350 ms, spawned→asked 560 ms, asked→killed 330 ms,"
                + " killed→closed 5 ms, closed→exit 330 ms", OneShotPhases.describe(line, 1000, 2805));
    }

    @Test
    void aMalformedPhaseIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> OneShotPhases.describe("oneshot-phases: main", 0, 1));
    }
}
