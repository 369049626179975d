package dev.agentkernel.packaging.oci;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Debian {@code docker-registry} (distribution 2.x) on a free loopback port with its own storage dir,
 * optionally with htpasswd auth. Installed with apt when missing; tests are skipped (with the reason) only
 * when it cannot be installed.
 */
public final class LocalRegistry implements AutoCloseable {
    private final Path dir;
    private final Process process;
    final int port;

    private LocalRegistry(Path dir, Process process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    public String host() {
        return "127.0.0.1:" + port;
    }

    /** {@code htpasswdLine} ("user:bcrypt-hash") turns on basic auth; null for an open registry. */
    public static LocalRegistry start(String htpasswdLine) throws Exception {
        ensureInstalled("docker-registry", "docker-registry");
        ensureInstalled("skopeo", "skopeo");
        int port = freePort();
        Path dir = Files.createTempDirectory("agentkernel-registry-");
        String auth = "";
        if (htpasswdLine != null) {
            Files.writeString(dir.resolve("htpasswd"), htpasswdLine + "\n");
            auth = "auth:\n  htpasswd:\n    realm: agentkernel-test\n    path: " + dir.resolve("htpasswd") + "\n";
        }
        Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                log:
                  level: error
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                %s""".formatted(dir.resolve("storage"), port, auth));
        Process p = new ProcessBuilder("docker-registry", "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        LocalRegistry r = new LocalRegistry(dir, p, port);
        try {
            r.awaitReady();
        } catch (Exception e) {
            r.close();
            throw e;
        }
        return r;
    }

    private void awaitReady() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
            }
            try {
                int code = http.send(HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (code == 200 || code == 401) return;
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("docker-registry did not answer on " + host() + " within 15 s");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void ensureInstalled(String binary, String pkg) throws Exception {
        if (onPath(binary)) return;
        Process apt = new ProcessBuilder("apt-get", "install", "-y", "-o", "DPkg::Lock::Timeout=300", pkg)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        boolean done = apt.waitFor(10, TimeUnit.MINUTES);
        if (!done) apt.destroyForcibly();
        Assumptions.assumeTrue(onPath(binary), binary + " is not installed and `apt-get install " + pkg
                + "` failed; install it (apt-get install -y docker-registry skopeo) to run the OCI registry tests");
    }

    private static boolean onPath(String binary) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, binary))) return true;
        }
        return false;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
