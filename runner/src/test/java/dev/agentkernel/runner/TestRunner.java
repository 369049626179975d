package dev.agentkernel.runner;

import dev.agentkernel.runner.model.BadConfigException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentkernel.protocol.Protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/** A real runner in this JVM on a free loopback port, configured through a real config file. */
public final class TestRunner implements AutoCloseable {
    public static final String NONCE = "test-nonce-0123456789";
    public static final Runner.Options FAST = new Runner.Options(4096, Duration.ofMillis(200), 3);

    public final Path dir;
    public final Runner runner;
    public final RunnerClient client;

    private TestRunner(Path dir, Runner runner) {
        this.dir = dir;
        this.runner = runner;
        this.client = new RunnerClient(runner.url(), NONCE);
    }

    /** A config for {@code provider} against the fake LLM; {@code tweak} may change any field. */
    public static ObjectNode config(String provider, String baseUrl, Consumer<ObjectNode> tweak) {
        ObjectNode c = Protocol.json().createObjectNode();
        c.put("agent_id", "agent-test");
        c.put("name", "tester");
        c.put("nonce", NONCE);
        c.put("http_port", 0);
        c.put("provider", provider);
        c.put("model", "openai".equals(provider) ? "gpt-test" : "claude-test");
        c.put("api_key", "test-key");
        c.put("base_url", baseUrl);
        c.putArray("tools").add("bash");
        c.put("bash_timeout_seconds", 10);
        tweak.accept(c);
        return c;
    }

    public static TestRunner start(Path dir, ObjectNode config) {
        return start(dir, config, FAST);
    }

    public static TestRunner start(Path dir, ObjectNode config, Runner.Options options) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("config.json");
            Files.writeString(file, config.toString());
            Runner runner = new Runner(RunnerSettings.load(file, Map.of()), options);
            runner.start();
            return new TestRunner(dir, runner);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (BadConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        runner.close();
    }
}
