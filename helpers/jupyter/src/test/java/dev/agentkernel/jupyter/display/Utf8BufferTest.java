package dev.agentkernel.jupyter.display;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Utf8BufferTest {
    @Test
    void splitCharacterWaitsForItsLastByte() {
        byte[] bytes = "a€b😀".getBytes(StandardCharsets.UTF_8);
        Utf8Buffer buffer = new Utf8Buffer();
        buffer.write(bytes, 0, 2); // 'a' and the first byte of '€'
        assertEquals("a", buffer.drain());
        buffer.write(bytes, 2, 4); // rest of '€', 'b', first byte of the emoji
        assertEquals("€b", buffer.drain());
        buffer.write(bytes, 6, bytes.length - 6);
        assertEquals("😀", buffer.drain());
        assertEquals("", buffer.drain());
    }
}
