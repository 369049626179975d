package dev.agentkernel.runner;

import dev.agentkernel.runner.model.BadConfigException;
import dev.agentkernel.fakellm.FakeLlmServer;
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
 * {@code RunnerMain --cds-training}: the training run of the runner's class archive
 * ({@code java -XX:ArchiveClassesAtExit=runner.jsa ... --cds-training}). It starts a throwaway agent per provider
 * (Anthropic, then OpenAI) against the scripted LLM server in this process, answers {@code /health}, and runs real
 * turns through its HTTP API: a text answer and a {@code bash} tool round, so the archive holds every class a
 * working agent loads (the SDKs, OkHttp, Kotlin, the tool path) and a first turn no longer loads and verifies
 * ~4,000 classes from jars. Measured on the 2-core box: first turn's first token 577 ms → see README.
 *
 * <p>Idle memory does not grow with the archive as long as it is mapped without relocation (see
 * {@code RunnerJvmFlags}): untouched archive pages are not resident.
 */
final class CdsTraining {
    private CdsTraining() {}

    /** Turns every trained agent runs: a plain answer, and one tool round (the scripted server's directive). */
    static final List<String> TURNS = List.of("hello", "run it [[bash: true]]", "hello again");

    /** Both providers' SDK paths. */
    static void run() throws IOException, BadConfigException {
        run(dev.agentkernel.runner.llm.Providers.NAMES);
    }

    /** The SDK paths of {@code providers} only (each must be one of {@code Providers.NAMES}). */
    static void run(List<String> providers) throws IOException, BadConfigException {
        for (String p : providers) {
            if (!dev.agentkernel.runner.llm.Providers.NAMES.contains(p)) {
                throw new BadConfigException("--cds-training: unknown provider '" + p + "'; use " + dev.agentkernel.runner.llm.Providers.NAMES);
            }
        }
        // the scripted server's own SSE writes must not wait for delayed ACKs (as in the benchmark)
        if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
        try (FakeLlmServer llm = FakeLlmServer.start(0)) {
            for (String p : providers) train(p, "openai".equals(p) ? llm.openAiBaseUrl() : llm.anthropicBaseUrl());
        }
    }

    private static void train(String provider, String baseUrl) throws IOException, BadConfigException {
        Path dir = Files.createTempDirectory("agentkernel-cds-");
        try {
            String nonce = UUID.randomUUID().toString();
            RunnerConfig config = new RunnerConfig("cds-training-" + provider, nonce, null, null, "You are a training agent.", null,
                    provider, List.of("bash"), null, 0, "cds-training-key", baseUrl, null, null, null, null, null, null, null, null, null, null,
                    null, null, null, null, null, null, null, null, null, null, null, null, null);
            RunnerSettings settings = RunnerSettings.resolve(config, dir, Map.of());
            try (Runner runner = new Runner(settings, Runner.Options.DEFAULT)) {
                runner.start();
                request(runner.port(), "GET /health", null, null);
                for (String message : TURNS) {
                    String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + message + "\"}]}";
                    String answer = request(runner.port(), "POST /turn", nonce, body);
                    if (!answer.contains("event: done")) {
                        throw new IOException("the training turn '" + message + "' via " + provider + " did not finish: "
                                + answer.substring(Math.max(0, answer.length() - 300)));
                    }
                }
            }
        } finally {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A raw request, as the kernel would make it, without loading an HTTP client the runner does not use. */
    private static String request(int port, String requestLine, String nonce, String body) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder(requestLine).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (nonce != null) head.append("Authorization: Bearer ").append(nonce).append("\r\n");
            if (body != null) {
                head.append("Content-Type: application/json\r\nAccept: text/event-stream\r\nContent-Length: ")
                    .append(bytes.length).append("\r\n");
            }
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!answer.startsWith("HTTP/1.1 200")) {
                throw new IOException("the training runner answered " + requestLine + " with: " + answer.lines().findFirst().orElse(""));
            }
            return answer;
        }
    }
}
