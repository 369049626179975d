package dev.agentkernel.fakellm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkingTest {

    @Test
    void wordsKeepTheirWhitespaceSoTheyJoinBack() {
        assertEquals(List.of("Echo: ", "a  ", "b\n", "c"), Chunking.words("Echo: a  b\nc"));
        assertEquals(List.of(), Chunking.words(""));
    }

    @Test
    void partialJsonCutsInsideTheKeyAfterTheColonAndInsideTheValue() {
        String json = "{\"command\":\"echo hello world\"}";
        List<String> pieces = Chunking.partialJson(json);
        assertEquals(json, String.join("", pieces));
        assertEquals("{\"com", pieces.get(0));
        assertEquals("mand\":", pieces.get(1));
        assertTrue(pieces.size() >= 4);
        assertTrue(pieces.stream().noneMatch(String::isEmpty));
    }

    @Test
    void partialJsonOfTinyInputIsOnePieceOrMore() {
        assertEquals("{}", String.join("", Chunking.partialJson("{}")));
        assertEquals("{\"a\":1}", String.join("", Chunking.partialJson("{\"a\":1}")));
    }
}
