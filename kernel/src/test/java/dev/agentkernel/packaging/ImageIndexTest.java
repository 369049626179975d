package dev.agentkernel.packaging;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ImageIndexTest {
    @TempDir
    Path state;

    @Test
    void anEntryWrittenByOneIndexIsFoundByAnotherOnTheSameStateDir() throws Exception {
        var entry = new ImageIndex.Entry("custom-worker-0123456789ab", "custom-worker",
                "127.0.0.1:5000/custom-worker@sha256:" + "ab".repeat(32), List.of("my_helpers", "tools"));
        new ImageIndex(state).record(entry);
        assertTrue(Files.isRegularFile(state.resolve("images/oci/custom-worker-0123456789ab.json")));
        assertEquals(entry, new ImageIndex(state).find("custom-worker-0123456789ab").orElseThrow());
        try (var files = Files.list(state.resolve("images/oci"))) {
            assertEquals(1, files.count(), "no temp file is left next to the entry");
        }
    }

    @Test
    void unknownOrMalformedIdsAreEmpty() {
        ImageIndex index = new ImageIndex(state);
        assertTrue(index.find("never-built").isEmpty());
        assertTrue(index.find("../escape").isEmpty());
        assertTrue(index.find("registry.example.com/x:1").isEmpty());
        assertTrue(index.find(null).isEmpty());
    }
}
