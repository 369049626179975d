package dev.agentkernel.runner.store;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted on a directory, so a test can fill it up and see what a full disk does to an append.
 * Needs root (as CI runs); otherwise the test is skipped with the reason.
 */
public final class SmallDisk implements AutoCloseable {
    private final Path dir;
    private final Path filler;

    private SmallDisk(Path dir) {
        this.dir = dir;
        this.filler = dir.resolve("filler.bin");
    }

    /** Mounts a tmpfs of {@code kib} KiB on {@code dir} (created if missing). */
    public static SmallDisk mount(Path dir, int kib) throws IOException, InterruptedException {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "mounting a small tmpfs to fill up needs root (CI runs as root); skipped as " + System.getProperty("user.name"));
        Files.createDirectories(dir);
        run(List.of("mount", "-t", "tmpfs", "-o", "size=" + kib + "k,mode=0700", "tmpfs", dir.toString()));
        return new SmallDisk(dir);
    }

    /** Writes a filler file until the disk refuses more: from now on any write that needs a new page fails. */
    public void fill() throws IOException {
        byte[] block = new byte[512];
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND)) {
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) throw full;
        }
    }

    /** Deletes the filler: the disk has room again. */
    public void free() throws IOException {
        Files.deleteIfExists(filler);
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run(List.of("umount", "-l", dir.toString()));
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(command + " failed: " + out);
        }
    }
}
