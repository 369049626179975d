package dev.agentkernel.runner.llm;

/** What a provider needs from the runner config; {@code baseUrl} may be null (the SDK's default endpoint). */
public record ProviderSettings(String provider, String model, String apiKey, String baseUrl,
                               ThinkingLevel thinking, int maxRetries) {
    public static final int DEFAULT_MAX_RETRIES = 3;

    /** Never print the key. */
    @Override
    public String toString() {
        return "ProviderSettings[provider=" + provider + ", model=" + model + ", baseUrl=" + baseUrl
                + ", thinking=" + thinking + ", apiKey=" + (apiKey == null || apiKey.isEmpty() ? "<none>" : "<redacted>") + "]";
    }
}
