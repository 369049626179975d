package dev.agentkernel.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelOptionsTest {

    @Test
    void defaultsToTheLocalBackend() {
        KernelOptions o = KernelOptions.parse(new String[0]);
        assertEquals("local", o.backend());
        assertNull(o.config());
        assertNull(o.stateDir());
    }

    @Test
    void parsesEveryOption() {
        KernelOptions o = KernelOptions.parse(new String[] {"--backend", "sandbox", "--config", "k.yaml", "--state-dir", "/s"});
        assertEquals(new KernelOptions("sandbox", Path.of("k.yaml"), Path.of("/s")), o);
    }

    @Test
    void unknownOrIncompleteOptionsSayHowToCallIt() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> KernelOptions.parse(new String[] {"--colour", "red"}));
        assertTrue(unknown.getMessage().startsWith("unknown option --colour; usage: [--backend local]"), unknown.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> KernelOptions.parse(new String[] {"--config"}));
        assertTrue(missing.getMessage().startsWith("missing value after --config"), missing.getMessage());
    }

    @Test
    void aMissingConfigFileIsNamed(@TempDir Path tmp) {
        Path missing = tmp.resolve("absent.yaml");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new KernelOptions("local", missing, null).open());
        assertTrue(e.getMessage().contains("config file " + missing + " does not exist"), e.getMessage());
    }
}
