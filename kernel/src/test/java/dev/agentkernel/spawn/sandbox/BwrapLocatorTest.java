package dev.agentkernel.spawn.sandbox;

import dev.agentkernel.SpawnFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class BwrapLocatorTest {

    @TempDir Path tmp;

    @Test
    void missingBwrapSaysHowToInstallIt() {
        Path empty = tmp.resolve("empty-bin");
        SpawnFailedException e = assertThrows(SpawnFailedException.class,
                () -> BwrapLocator.locate(Map.of("PATH", empty.toString())));
        assertTrue(e.getMessage().contains("bubblewrap") && e.getMessage().contains("apt-get install bubblewrap")
                && e.getMessage().contains(empty.toString()), e.getMessage());
    }

    @Test
    void anExplicitPathThatIsNotExecutableIsNamed() {
        String bogus = tmp.resolve("nope/bwrap").toString();
        SpawnFailedException e = assertThrows(SpawnFailedException.class,
                () -> BwrapLocator.locate(Map.of(BwrapLocator.BWRAP_ENV, bogus, "PATH", "/usr/bin")));
        assertTrue(e.getMessage().contains(BwrapLocator.BWRAP_ENV + "=" + bogus) && e.getMessage().contains("apt-get install bubblewrap"),
                e.getMessage());
    }

    @Test
    void findsBwrapOnThePathOrAtTheExplicitPath() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path fake = Files.writeString(bin.resolve("bwrap"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        assertEquals(fake, BwrapLocator.locate(Map.of("PATH", tmp.resolve("empty") + ":" + bin)));
        assertEquals(fake, BwrapLocator.locate(Map.of(BwrapLocator.BWRAP_ENV, fake.toString(), "PATH", "")));
    }
}
