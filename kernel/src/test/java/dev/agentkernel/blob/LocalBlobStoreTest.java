package dev.agentkernel.blob;

import dev.agentkernel.AgentKernelException;
import dev.agentkernel.BlobNotFoundException;
import dev.agentkernel.InvalidRequestException;
import dev.agentkernel.PathEscapeException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class LocalBlobStoreTest {
    @TempDir Path tmp;

    private Path tree(String name) throws Exception {
        Path d = tmp.resolve(name);
        Files.createDirectories(d.resolve("sub"));
        Files.writeString(d.resolve("a.txt"), "alpha");
        Files.writeString(d.resolve("sub/b.sh"), "#!/bin/sh\necho b\n");
        d.resolve("sub/b.sh").toFile().setExecutable(true);
        return d;
    }

    @Test
    void sameContentGivesSameUriAndIsStoredOnce() throws Exception {
        LocalBlobStore store = new LocalBlobStore(tmp.resolve("state"));
        String u1 = store.uploadDir(tree("one"));
        Path two = tree("two");
        Files.setLastModifiedTime(two.resolve("a.txt"), java.nio.file.attribute.FileTime.fromMillis(12345));
        String u2 = store.uploadDir(two);
        assertTrue(u1.matches("blob://sha256:[0-9a-f]{64}"), u1);
        assertEquals(u1, u2, "timestamps and paths must not change the digest");
        try (Stream<Path> files = Files.list(tmp.resolve("state/blobs/sha256"))) {
            assertEquals(1, files.count(), "stored once, no temp files left");
        }
        Files.writeString(two.resolve("a.txt"), "changed");
        assertNotEquals(u1, store.uploadDir(two));
    }

    @Test
    void downloadRestoresFilesAndExecBit() throws Exception {
        LocalBlobStore store = new LocalBlobStore(tmp.resolve("state"));
        String uri = store.uploadDir(tree("src"));
        Path out = tmp.resolve("out");
        store.download(uri, out);
        assertEquals("alpha", Files.readString(out.resolve("a.txt")));
        assertTrue(Files.isExecutable(out.resolve("sub/b.sh")));
        try (var in = store.open(uri)) {
            assertTrue(in.readAllBytes().length > 0);
        }
    }

    @Test
    void missingDirectoryAndUnknownUriAreClearErrors() {
        LocalBlobStore store = new LocalBlobStore(tmp.resolve("state"));
        var e = assertThrows(AgentKernelException.class, () -> store.uploadDir(tmp.resolve("nope")));
        assertTrue(e.getMessage().contains("no such directory"), e.getMessage());
        var nf = assertThrows(BlobNotFoundException.class, () -> store.open("blob://sha256:" + "0".repeat(64)));
        assertTrue(nf.getMessage().contains("uploadDir"), nf.getMessage());
        var bad = assertThrows(InvalidRequestException.class, () -> store.open("s3://bucket/x"));
        assertTrue(bad.getMessage().contains("not a blob URI"), bad.getMessage());
    }

    @Test
    void symlinkPointingOutsideIsRefusedOnPack() throws Exception {
        Path d = tree("linky");
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "s3cr3t");
        Files.createSymbolicLink(d.resolve("leak"), secret);
        LocalBlobStore store = new LocalBlobStore(tmp.resolve("state"));
        var e = assertThrows(PathEscapeException.class, () -> store.uploadDir(d));
        assertTrue(e.getMessage().contains("leak"), e.getMessage());
        try (Stream<Path> files = Files.list(tmp.resolve("state/blobs/sha256"))) {
            assertEquals(0, files.count(), "a refused upload leaves no file");
        }
    }

    @Test
    void aHardLinkToAFileOutsideTheDirectoryIsRefusedOnPack() throws Exception {
        Path d = tree("hardlinky");
        Path secret = Files.writeString(tmp.resolve("outside-secret.txt"), "s3cr3t-outside");
        Files.createLink(d.resolve("sub/innocent.txt"), secret); // same file system: tmp holds both
        LocalBlobStore store = new LocalBlobStore(tmp.resolve("state"));
        var e = assertThrows(PathEscapeException.class, () -> store.uploadDir(d));
        assertTrue(e.getMessage().contains("sub/innocent.txt"), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains("cp, not ln"), "says the fix: " + e.getMessage());
        try (Stream<Path> files = Files.list(tmp.resolve("state/blobs/sha256"))) {
            assertEquals(0, files.count(), "a refused upload leaves no file");
        }
    }

    @Test
    void hardLinksWhoseNamesAreAllInsideAreUploadedAsPlainFiles() throws Exception {
        Path d = tree("twins");
        Files.createLink(d.resolve("sub/a-again.txt"), d.resolve("a.txt"));
        LocalBlobStore store = new LocalBlobStore(tmp.resolve("state"));
        Path out = tmp.resolve("twins-out");
        store.download(store.uploadDir(d), out);
        assertEquals("alpha", Files.readString(out.resolve("a.txt")));
        assertEquals("alpha", Files.readString(out.resolve("sub/a-again.txt")));
        assertEquals(1, Files.getAttribute(out.resolve("a.txt"), "unix:nlink"), "unpacked as two files, not linked");
    }

    @Test
    void entriesEscapingTheTargetAreRefusedOnUnpack() throws Exception {
        for (String evil : new String[] {"../evil.txt", "/etc/evil.txt", "a/../../evil.txt"}) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
                byte[] data = "x".getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(evil, true);
                e.setSize(data.length);
                tar.putArchiveEntry(e);
                tar.write(data);
                tar.closeArchiveEntry();
            }
            Path target = tmp.resolve("t" + Math.abs(evil.hashCode()));
            assertThrows(PathEscapeException.class,
                    () -> TarBundles.unpack(new ByteArrayInputStream(bytes.toByteArray()), target), evil);
            assertFalse(Files.exists(tmp.resolve("evil.txt")));
        }
    }
}
