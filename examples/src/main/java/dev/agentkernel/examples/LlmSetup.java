package dev.agentkernel.examples;

import dev.agentkernel.fakellm.FakeLlmServer;

import java.io.PrintStream;
import java.util.Map;

/**
 * Where the examples' agents send their LLM calls: the real provider when {@code LLM_API_KEY} is set,
 * otherwise the scripted LLM server started in this process (offline mode).
 *
 * <p>Offline, the examples put scripted-server directives such as {@code [[bash: ls -la]]} into their
 * prompts so that tool calls and streaming show up; online they use natural prompts.
 */
public final class LlmSetup implements AutoCloseable {

    /** What offline agents send as their key: the scripted server accepts any key but {@code bad-key}. */
    public static final String OFFLINE_API_KEY = "offline-dummy-key";

    private final String apiKey;
    private final String baseUrl;
    private final FakeLlmServer server;

    private LlmSetup(String apiKey, String baseUrl, FakeLlmServer server) {
        this.apiKey = apiKey;
        this.baseUrl = baseUrl;
        this.server = server;
    }

    /** Online when {@code LLM_API_KEY} is set in {@code env}; otherwise starts the scripted server and says so on {@code out}. */
    public static LlmSetup fromEnvironment(Map<String, String> env, PrintStream out) {
        String key = env.get("LLM_API_KEY");
        if (key != null && !key.isBlank()) {
            // LLM_BASE_URL lets a proxy or compatible gateway stand in for the provider's default endpoint.
            String baseUrl = env.get("LLM_BASE_URL");
            baseUrl = baseUrl == null || baseUrl.isBlank() ? null : baseUrl;
            out.println("ONLINE: LLM_API_KEY is set, so the agents call the real LLM provider"
                    + (baseUrl == null ? "" : " at " + baseUrl) + " (this uses your API credits).");
            out.println();
            return new LlmSetup(key, baseUrl, null);
        }
        return offline(out);
    }

    public static LlmSetup fromEnvironment(PrintStream out) {
        return fromEnvironment(System.getenv(), out);
    }

    /** Starts the scripted LLM server on a free loopback port and prints the OFFLINE notice. */
    public static LlmSetup offline(PrintStream out) {
        FakeLlmServer server;
        try {
            server = FakeLlmServer.start(0);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the scripted LLM server on a loopback port: " + e.getMessage()
                    + " (set LLM_API_KEY to use a real provider instead)", e);
        }
        String baseUrl = server.anthropicBaseUrl();
        out.println("OFFLINE: LLM_API_KEY is not set, so the agents talk to the built-in scripted LLM server at "
                + baseUrl + ", not to a real model.");
        out.println("  Its answers are canned (echoes, scripted tool calls). To use a real provider:");
        out.println("  export LLM_API_KEY=<your Anthropic API key>   and run this again.");
        out.println();
        return new LlmSetup(OFFLINE_API_KEY, baseUrl, server);
    }

    public boolean offline() { return server != null; }

    public String apiKey() { return apiKey; }

    /** The LLM base URL agents should use; null means the provider's default. */
    public String baseUrl() { return baseUrl; }

    /** The offline prompt (with directives for the scripted server) or the natural one. */
    public String prompt(String online, String offlineDirectives) {
        return offline() ? online + " " + offlineDirectives : online;
    }

    @Override
    public void close() {
        if (server == null) return;
        try {
            server.close();
        } catch (Exception e) {
            // Nothing left to do with a server that failed to stop; the port is freed when the JVM exits.
        }
    }
}
