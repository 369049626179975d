package dev.agentkernel.runner.llm;

/**
 * What a provider needs from the runner config; {@code baseUrl} may be null (the SDK's default endpoint).
 * {@code proxy} is null unless the runner lives in its own network namespace, where the only way out is the
 * HTTP proxy the relay network offers on loopback.
 */
public record ProviderSettings(String provider, String model, String apiKey, String baseUrl,
                               ThinkingLevel thinking, int maxRetries, java.net.Proxy proxy) {
    public static final int DEFAULT_MAX_RETRIES = 3;

    /** Never print the key. */
    @Override
    public String toString() {
        return "ProviderSettings[provider=" + provider + ", model=" + model + ", baseUrl=" + baseUrl
                + (proxy == null ? "" : ", proxy=" + proxy.address())
                + ", thinking=" + thinking + ", apiKey=" + (apiKey == null || apiKey.isEmpty() ? "<none>" : "<redacted>") + "]";
    }
}
