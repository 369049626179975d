package dev.agentkernel.runner;

import dev.agentkernel.protocol.RunnerConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * {@code RunnerMain --cds-training}: starts a throwaway agent, answers one {@code /health} and exits, so that
 * {@code java -XX:ArchiveClassesAtExit=runner.jsa ... --cds-training} archives exactly the classes a runner
 * needs until it is ready. An archive dumped by a runner that already ran turns also holds the LLM SDKs,
 * which every later runner would then map and pay for in idle memory.
 */
final class CdsTraining {
    private CdsTraining() {}

    static void run() throws IOException, BadConfigException {
        Path dir = Files.createTempDirectory("agentkernel-cds-");
        try {
            RunnerConfig config = new RunnerConfig("cds-training", UUID.randomUUID().toString(), null, null, null, null,
                    null, List.of("bash"), null, 0, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    null, null, null, null, null, null, null, null, null, null);
            RunnerSettings settings = RunnerSettings.resolve(config, dir, Map.of());
            try (Runner runner = new Runner(settings, Runner.Options.DEFAULT)) {
                runner.start();
                health(runner.port());
            }
        } finally {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A raw request, as the kernel's readiness poll would make it, without loading an HTTP client. */
    private static void health(int port) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = socket.getOutputStream();
            out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            if (!answer.startsWith("HTTP/1.1 200")) {
                throw new IOException("the training runner's /health answered: " + answer.lines().findFirst().orElse(""));
            }
        }
    }
}
