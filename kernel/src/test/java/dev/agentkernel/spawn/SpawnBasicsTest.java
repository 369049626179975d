package dev.agentkernel.spawn;

import dev.agentkernel.InvalidRequestException;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class SpawnBasicsTest {

    @Test
    void nonceIs256RandomBits() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String n = Nonces.generate();
            assertEquals(64, n.length());
            assertEquals(32, HexFormat.of().parseHex(n).length);
            assertTrue(seen.add(n), "nonces repeat");
        }
        // 200 nonces of 256 bits: every hex digit shows up, so they are not a constant pattern.
        Set<Character> digits = new HashSet<>();
        for (String n : seen) for (char c : n.toCharArray()) digits.add(c);
        assertEquals(16, digits.size());
    }

    @Test
    void namesFollowTheRule() {
        for (String ok : new String[]{"researcher", "a", "A-1_b.c", "x".repeat(63)}) {
            assertEquals(ok, AgentNames.validate(ok));
        }
        InvalidRequestException empty = assertThrows(InvalidRequestException.class, () -> AgentNames.validate(""));
        assertTrue(empty.getMessage().contains("empty") && empty.getMessage().contains(AgentNames.RULE));
        assertThrows(InvalidRequestException.class, () -> AgentNames.validate(null));
        for (String bad : new String[]{"-lead", ".hidden", "has space", "a/b", "x".repeat(64), "émile", "a\nb"}) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> AgentNames.validate(bad), bad);
            assertTrue(e.getMessage().contains(AgentNames.RULE), e.getMessage());
        }
    }
}
