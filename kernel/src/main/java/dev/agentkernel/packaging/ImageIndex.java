package dev.agentkernel.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.protocol.Protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a backend finds a registry image by the id a spawn passes ({@code imageId(job.image().id())}): the
 * packaging that built it writes {@code <stateDir>/images/oci/<id>.json} ({@code id, name, reference, bundles}),
 * the backend reads it. A file rather than an in-memory map so another kernel on the same state dir (a notebook
 * restart, the CLI) can spawn an image built earlier, and so the packaging module and the backend module need
 * not know each other.
 */
public final class ImageIndex {
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");

    /** One built image: its registry reference (digest-pinned) and its bundles' label names, sorted. */
    public record Entry(String id, String name, String reference, List<String> bundles) {
        public Entry {
            bundles = bundles == null ? List.of() : List.copyOf(bundles);
        }
    }

    private final Path dir;

    public ImageIndex(Path stateDir) {
        this.dir = stateDir.resolve("images").resolve("oci");
    }

    public Path dir() {
        return dir;
    }

    /** Writes the entry atomically (temp file + rename), so a reader never sees half of it. */
    public void record(Entry entry) {
        if (!ID.matcher(entry.id()).matches()) throw new IllegalArgumentException("not an image id: " + entry.id());
        try {
            Files.createDirectories(dir);
            ObjectNode json = Protocol.json().createObjectNode()
                    .put("id", entry.id()).put("name", entry.name()).put("reference", entry.reference());
            entry.bundles().forEach(json.putArray("bundles")::add);
            Path tmp = Files.createTempFile(dir, "." + entry.id(), ".tmp");
            Files.writeString(tmp, Protocol.json().writerWithDefaultPrettyPrinter().writeValueAsString(json));
            Files.move(tmp, dir.resolve(entry.id() + ".json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record image " + entry.id() + " in " + dir, e);
        }
    }

    /** The entry for an id, empty when no packaging on this state dir built it (or the id is not a plain id). */
    public Optional<Entry> find(String id) {
        if (id == null || !ID.matcher(id).matches()) return Optional.empty();
        Path file = dir.resolve(id + ".json");
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            JsonNode n = Protocol.json().readTree(file.toFile());
            List<String> bundles = new ArrayList<>();
            n.path("bundles").forEach(b -> bundles.add(b.asText()));
            String reference = n.path("reference").asText(null);
            if (reference == null || reference.isBlank()) return Optional.empty();
            return Optional.of(new Entry(id, n.path("name").asText(null), reference, bundles));
        } catch (IOException e) {
            throw new UncheckedIOException("image index entry " + file + " cannot be read; delete it and build the image again", e);
        }
    }
}
