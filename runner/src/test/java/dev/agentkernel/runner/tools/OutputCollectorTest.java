package dev.agentkernel.runner.tools;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class OutputCollectorTest {
    @Test
    void outputUnderTheCapIsKeptWhole() {
        OutputCollector c = new OutputCollector(100);
        c.drain(new ByteArrayInputStream("hello\nworld\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("hello\nworld\n", c.text());
        assertEquals(12, c.totalBytes());
    }

    @Test
    void outputOverTheCapKeepsHeadAndTailWithAMarker() {
        OutputCollector c = new OutputCollector(10);
        byte[] data = "AAAAAxxxxxxxxxxxxxxxxxxxxBBBBB".getBytes(StandardCharsets.UTF_8);
        // feed in odd-sized pieces so the ring buffer wraps
        for (int i = 0; i < data.length; i += 7) {
            c.append(data, i, Math.min(7, data.length - i));
        }
        String text = c.text();
        assertTrue(text.startsWith("AAAAA\n\n[... 20 bytes of output omitted (output cap 10 bytes) ...]"), text);
        assertTrue(text.endsWith("BBBBB"), text);
    }

    @Test
    void exactlyTheCapIsNotTruncated() {
        OutputCollector c = new OutputCollector(10);
        c.append("0123456789".getBytes(StandardCharsets.UTF_8), 0, 10);
        assertEquals("0123456789", c.text());
    }
}
