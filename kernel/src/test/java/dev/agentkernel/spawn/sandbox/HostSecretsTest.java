package dev.agentkernel.spawn.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class HostSecretsTest {

    @TempDir Path root;

    static Path file(Path p, String mode) throws Exception {
        Files.createDirectories(p.getParent());
        Files.writeString(p, "x");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    static Path dir(Path p, String mode) throws Exception {
        Files.createDirectories(p);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    @Test
    void masksWhatOthersMayNotReadAndNothingElse() throws Exception {
        Path shadow = file(root.resolve("shadow"), "rw-r-----");
        file(root.resolve("passwd"), "rw-r--r--");
        Path key = file(root.resolve("ssh/ssh_host_key"), "rw-------");
        file(root.resolve("ssh/ssh_host_key.pub"), "rw-r--r--");
        Path privateDir = root.resolve("ssl/private");
        file(privateDir.resolve("server.key"), "rw-r--r--"); // readable itself, but inside a private directory
        dir(privateDir, "rwx--x---");
        Path noList = dir(root.resolve("nolist"), "rwx--x--x"); // others may traverse but not list
        Files.createSymbolicLink(root.resolve("link-to-shadow"), shadow);

        HostSecrets.Masks masks = HostSecrets.scan(root);
        assertEquals(List.of(key, shadow).stream().sorted().toList(), masks.files().stream().sorted().toList(),
                "private files, not the public ones and not the link (its target is judged where it lives)");
        assertEquals(List.of(noList, privateDir).stream().sorted().toList(), masks.dirs().stream().sorted().toList());
        assertFalse(masks.files().contains(privateDir.resolve("server.key")), "a masked directory is masked as a whole");
    }

    @Test
    void aMissingRootMasksNothing() {
        assertEquals(HostSecrets.Masks.NONE, HostSecrets.scan(root.resolve("absent")));
    }

    @Test
    void masksBecomeBwrapMountsOverTheReadOnlySystemView() throws Exception {
        Path shadow = file(root.resolve("shadow"), "rw-------");
        Path priv = dir(root.resolve("private"), "rwx------");
        List<String> args = new ArrayList<>();
        BwrapCommand.mask(args, HostSecrets.scan(root));
        assertEquals(List.of("--ro-bind", "/dev/null", shadow.toString(),
                "--tmpfs", priv.toString(), "--remount-ro", priv.toString()), args);
    }

    /** On this machine: /etc/shadow is never world-readable, so the real command masks it after mounting /etc. */
    @Test
    void theRealCommandMasksEtcShadowAfterMountingEtc() throws Exception {
        Path shadow = Path.of("/etc/shadow");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(shadow), "no /etc/shadow here");
        Path agents = Files.createDirectories(root.resolve("state/agents/a1/workspace")).getParent();
        List<String> args = BwrapCommand.build(Path.of("/usr/bin/bwrap"), List.of("/usr/bin/java", "-version"),
                new dev.agentkernel.spawn.local.AgentDir(agents), false);
        int etc = -1, masked = -1;
        for (int i = 0; i + 2 < args.size(); i++) {
            if (args.get(i).equals("--ro-bind") && args.get(i + 1).equals("/etc") && args.get(i + 2).equals("/etc")) etc = i;
            if (args.get(i).equals("--ro-bind") && args.get(i + 1).equals("/dev/null") && args.get(i + 2).equals("/etc/shadow")) masked = i;
        }
        assertTrue(etc >= 0 && masked > etc, "an empty file over /etc/shadow, after /etc: " + args);
    }
}
