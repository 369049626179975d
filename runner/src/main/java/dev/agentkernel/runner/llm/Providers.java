package dev.agentkernel.runner.llm;

import java.net.Proxy;
import java.util.List;

/**
 * Creates the configured provider on first use. The SDK clients pull in Kotlin, OkHttp and their own Jackson
 * modules; deferring them keeps runner start-up fast and an idle runner small.
 */
public final class Providers implements AutoCloseable {
    public static final List<String> NAMES = List.of("anthropic", "openai");

    private final String provider;
    private final String model;
    private final String apiKey;
    private final String baseUrl;
    private final String thinkingLevel;
    private final int maxRetries;
    private final Proxy proxy;
    private final String proxyName;
    private LlmProvider instance;

    /** @param proxy the HTTP proxy every provider request goes through, or null to connect directly */
    public Providers(String provider, String model, String apiKey, String baseUrl, String thinkingLevel, int maxRetries,
                     Proxy proxy) {
        this(provider, model, apiKey, baseUrl, thinkingLevel, maxRetries, proxy, "proxy");
    }

    /** @param proxyName what the proxy is, for error messages ("the kernel's egress proxy", ...) */
    public Providers(String provider, String model, String apiKey, String baseUrl, String thinkingLevel, int maxRetries,
                     Proxy proxy, String proxyName) {
        this.proxyName = proxyName;
        this.provider = provider;
        this.model = model;
        this.apiKey = apiKey == null ? "" : apiKey;
        this.baseUrl = baseUrl;
        this.thinkingLevel = thinkingLevel;
        this.maxRetries = maxRetries;
        this.proxy = proxy;
    }

    /**
     * The provider, validated before anything is sent.
     *
     * @throws LlmException for an unknown provider or thinking level, or a missing API key
     */
    public synchronized LlmProvider get() {
        if (instance != null) {
            return instance;
        }
        if (!NAMES.contains(provider)) {
            throw new LlmException("unknown provider '" + provider + "': use one of " + NAMES);
        }
        ThinkingLevel thinking = ThinkingLevel.parse(thinkingLevel);
        if (apiKey.isBlank()) {
            throw new LlmException("no API key for provider " + provider + ": set LLM_API_KEY"
                    + ("openai".equals(provider) ? " (or OPENAI_API_KEY)" : "")
                    + " in the kernel's environment (or OpenClawSpawnInfo.apiKey); to try AgentKernel offline, run"
                    + " scriptedLlm() in bin/agentkernel jshell or a notebook before spawning (the scripted LLM)");
        }
        ProviderSettings settings = new ProviderSettings(provider, model, apiKey, baseUrl, thinking, maxRetries, proxy, proxyName);
        try {
            instance = "openai".equals(provider) ? new OpenAiProvider(settings) : new AnthropicProvider(settings);
        } catch (RuntimeException e) {
            throw new LlmException("cannot set up the " + provider + " client (base_url " + baseUrl + "): "
                    + ProviderErrors.rootMessage(e), e);
        }
        return instance;
    }

    /**
     * One whole scripted turn through the built provider ({@link LlmProvider#rehearse}) against a scripted LLM server
     * started in this process for it, in the provider's wire form; its output goes nowhere.
     *
     * @throws LlmException when the provider cannot be built or the scripted turn fails
     */
    public void rehearse(ModelRequest sample) {
        try (dev.agentkernel.fakellm.FakeLlmServer llm = dev.agentkernel.fakellm.FakeLlmServer.start(0)) {
            rehearse(sample, llm);
        }
    }

    /**
     * The API key a rehearsal sends instead of the agent's. The scripted server records requests, headers included,
     * and serves them on {@code /_requests} to anyone on the loopback while it runs: with the local backend that is
     * every process of the host.
     */
    public static final String REHEARSAL_KEY = "agentkernel-rehearsal";

    /** {@link #rehearse(ModelRequest)} against a scripted server the caller started. */
    void rehearse(ModelRequest sample, dev.agentkernel.fakellm.FakeLlmServer llm) {
        get().rehearse(sample, "openai".equals(provider) ? llm.openAiBaseUrl() : llm.anthropicBaseUrl());
    }

    /** True once {@link #get()} has built the provider (the runner's warm-up does before it reports ready). */
    public synchronized boolean built() {
        return instance != null;
    }

    @Override
    public synchronized void close() {
        if (instance != null) {
            instance.close();
            instance = null;
        }
    }
}
