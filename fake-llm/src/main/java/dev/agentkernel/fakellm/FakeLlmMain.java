package dev.agentkernel.fakellm;

import java.util.concurrent.CountDownLatch;

/**
 * Runs the fake LLM until the process is killed: {@code FakeLlmMain [--port N]} (default 0 = a free port).
 * Prints one line with the base URLs so scripts can pick the port up.
 */
public final class FakeLlmMain {
    private FakeLlmMain() {}

    public static void main(String[] args) throws InterruptedException {
        int port;
        try {
            port = parsePort(args);
        } catch (IllegalArgumentException e) {
            System.err.println("fake-llm: " + e.getMessage());
            System.err.println("usage: fake-llm [--port N]   (N = 0 picks a free port)");
            System.exit(2);
            return;
        }
        FakeLlmServer server = FakeLlmServer.start(port);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "fake-llm-shutdown"));
        System.out.println("fake-llm listening on " + server.anthropicBaseUrl()
                + " (anthropic: " + server.anthropicBaseUrl() + ", openai: " + server.openAiBaseUrl() + ")");
        System.out.flush();
        new CountDownLatch(1).await(); // serve until killed
    }

    static int parsePort(String[] args) {
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value;
            if (arg.equals("--port")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--port needs a value, e.g. --port 8089");
                }
                value = args[++i];
            } else if (arg.startsWith("--port=")) {
                value = arg.substring("--port=".length());
            } else {
                throw new IllegalArgumentException("unknown argument '" + arg + "'; the only option is --port N");
            }
            try {
                port = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--port must be a number 0-65535, got '" + value + "'");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port must be 0-65535, got " + port);
            }
        }
        return port;
    }
}
