package dev.agentkernel.runner.llm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConversionCacheTest {
    @Test
    void eachMessageIsConvertedOnceAcrossTurnsAndDroppedWhenNoLongerSent() {
        ConversionCache<StringBuilder, String> cache = new ConversionCache<>();
        AtomicInteger conversions = new AtomicInteger();
        List<StringBuilder> conversation = new ArrayList<>(List.of(new StringBuilder("a"), new StringBuilder("b")));
        assertEquals(List.of("A", "B"), cache.convertAll(conversation, m -> { conversions.incrementAndGet(); return m.toString().toUpperCase(); }));
        conversation.add(new StringBuilder("c"));
        assertEquals(List.of("A", "B", "C"), cache.convertAll(conversation, m -> { conversions.incrementAndGet(); return m.toString().toUpperCase(); }));
        assertEquals(3, conversions.get(), "a and b were not converted again");
        StringBuilder equalButNew = new StringBuilder("a");
        cache.convertAll(List.of(equalButNew), m -> { conversions.incrementAndGet(); return "new"; });
        assertEquals(4, conversions.get(), "keyed by identity: a new message object is converted");
        cache.convertAll(List.of(conversation.getFirst()), m -> { conversions.incrementAndGet(); return "again"; });
        assertEquals(5, conversions.get(), "entries not sent last turn were dropped");
    }
}
