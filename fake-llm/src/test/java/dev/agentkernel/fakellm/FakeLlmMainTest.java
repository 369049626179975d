package dev.agentkernel.fakellm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Runs {@code FakeLlmMain} as a real process, the way {@code bin/agentkernel fake-llm} does. */
class FakeLlmMainTest {
    private static final Pattern LINE = Pattern.compile(
            "fake-llm listening on http://127\\.0\\.0\\.1:(\\d+) \\(anthropic: http://127\\.0\\.0\\.1:\\1, openai: http://127\\.0\\.0\\.1:\\1/v1\\)");

    private static Process launch(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FakeLlmMain.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).start();
    }

    @Test
    void printsItsAddressAndServesUntilKilled() throws Exception {
        Process p = launch("--port", "0");
        try (HttpClient http = HttpClient.newHttpClient();
             BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            Matcher m = LINE.matcher(line == null ? "" : line);
            assertTrue(m.matches(), "unexpected first line: " + line);
            int port = Integer.parseInt(m.group(1));
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertTrue(p.isAlive());
        } finally {
            p.destroy();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "fake-llm did not stop on SIGTERM");
        }
    }

    @Test
    void badArgumentsExitWithUsage() throws Exception {
        Process p = launch("--port", "http");
        try {
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            assertEquals(2, p.exitValue());
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(err.contains("--port must be a number 0-65535, got 'http'"), err);
            assertTrue(err.contains("usage: fake-llm [--port N]"), err);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void parsePortAcceptsBothSpellingsAndRejectsJunk() {
        assertEquals(0, FakeLlmMain.parsePort(new String[0]));
        assertEquals(8089, FakeLlmMain.parsePort(new String[] {"--port", "8089"}));
        assertEquals(8090, FakeLlmMain.parsePort(new String[] {"--port=8090"}));
        assertThrows(IllegalArgumentException.class, () -> FakeLlmMain.parsePort(new String[] {"--port"}));
        assertThrows(IllegalArgumentException.class, () -> FakeLlmMain.parsePort(new String[] {"--port", "70000"}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FakeLlmMain.parsePort(new String[] {"-v"}));
        assertTrue(e.getMessage().contains("unknown argument '-v'"));
    }

    @Test
    void startRejectsAnOutOfRangePortAndABusyPort() {
        assertThrows(IllegalArgumentException.class, () -> FakeLlmServer.start(-1));
        try (FakeLlmServer first = FakeLlmServer.start(0)) {
            java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, () -> FakeLlmServer.start(first.port()));
            assertTrue(e.getMessage().contains("pass 0 for a free one"), e.getMessage());
        }
    }
}
