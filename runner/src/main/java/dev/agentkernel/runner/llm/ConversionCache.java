package dev.agentkernel.runner.llm;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.function.Function;

/**
 * Converts conversation messages to the SDK's parameter objects once each. Every turn resends the whole
 * conversation, made of the same message objects; converting them again through the SDK's Kotlin-aware
 * Jackson mapper costs about 0.1 ms a message, which made first-token latency grow with the history.
 * Entries for messages that are no longer sent are dropped, so the cache never outgrows one conversation.
 */
final class ConversionCache<K, V> {
    private IdentityHashMap<K, V> previous = new IdentityHashMap<>();

    synchronized List<V> convertAll(List<K> keys, Function<K, V> convert) {
        IdentityHashMap<K, V> next = new IdentityHashMap<>(keys.size() * 2);
        List<V> out = new ArrayList<>(keys.size());
        for (K key : keys) {
            V value = previous.get(key);
            if (value == null) value = next.get(key);
            if (value == null) value = convert.apply(key);
            next.put(key, value);
            out.add(value);
        }
        previous = next;
        return out;
    }
}
