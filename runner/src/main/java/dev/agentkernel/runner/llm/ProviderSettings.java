package dev.agentkernel.runner.llm;

/**
 * What a provider needs from the runner config; {@code baseUrl} may be null (the SDK's default endpoint).
 * {@code proxy} is null for a direct connection: the relay network's egress proxy when the runner lives in its own
 * network namespace, else the corporate proxy of {@code HTTPS_PROXY}/{@code HTTP_PROXY}; {@code proxyName} says which,
 * for error messages.
 */
public record ProviderSettings(String provider, String model, String apiKey, String baseUrl,
                               ThinkingLevel thinking, int maxRetries, java.net.Proxy proxy, String proxyName) {
    public static final int DEFAULT_MAX_RETRIES = 3;

    public ProviderSettings(String provider, String model, String apiKey, String baseUrl, ThinkingLevel thinking, int maxRetries,
                            java.net.Proxy proxy) {
        this(provider, model, apiKey, baseUrl, thinking, maxRetries, proxy, "proxy");
    }

    /** Never print the key. */
    @Override
    public String toString() {
        return "ProviderSettings[provider=" + provider + ", model=" + model + ", baseUrl=" + baseUrl
                + (proxy == null ? "" : ", proxy=" + proxy.address())
                + ", thinking=" + thinking + ", apiKey=" + (apiKey == null || apiKey.isEmpty() ? "<none>" : "<redacted>") + "]";
    }
}
