package dev.agentkernel.cli;

import dev.agentkernel.fakellm.FakeLlmServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Serves the scripted LLM until interrupted, for trying agents or other tools offline. */
@Command(name = "fake-llm", mixinStandardHelpOptions = true,
        description = {"Run the scripted LLM server (Anthropic Messages and OpenAI Chat Completions wire formats)",
                "until Ctrl-C. Directives in a message script the answer: [[reply: TEXT]], [[bash: CMD]],",
                "[[error: STATUS]], [[slow: MS]], [[chunks: N]]; see docs/architecture.md."})
final class FakeLlmCommand implements Callable<Integer> {

    @ParentCommand Main main;

    @Option(names = "--port", paramLabel = "N", defaultValue = "0",
            description = "Port on 127.0.0.1 (default: any free port).")
    int port;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 0 and 65535 (0 picks a free port), got " + port);
        }
        FakeLlmServer server = FakeLlmServer.start(port);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            closeQuietly(server);
            stopped.countDown();
        }, "fake-llm-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrintStream out = main.out();
        out.println("Scripted LLM server listening.");
        out.println("  Anthropic base URL: " + server.anthropicBaseUrl());
        out.println("  OpenAI base URL:    " + server.openAiBaseUrl());
        out.println("Point an agent at it with OpenClawSpawnInfo.builder().baseUrl(\"" + server.anthropicBaseUrl()
                + "\").apiKey(\"any\"). Ctrl-C stops it.");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Runtime.getRuntime().removeShutdownHook(hook);
            closeQuietly(server);
        }
        return 0;
    }

    private static void closeQuietly(FakeLlmServer server) {
        try {
            server.close();
        } catch (Exception e) {
            // Stopping anyway; the JVM releases the port on exit.
        }
    }
}
