package dev.agentkernel;

import java.util.Map;

/** A blob-store URI plus labels; {@code labels.name} is the directory the bundle lands in. */
public record SourceBundle(String uri, Map<String, String> labels) {
    public SourceBundle {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
