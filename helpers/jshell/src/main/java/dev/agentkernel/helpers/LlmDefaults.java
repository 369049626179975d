package dev.agentkernel.helpers;

/**
 * Where {@code openclaw(...)} spawn infos point by default. A value set with {@link Helpers#useLlm} wins,
 * then the system properties {@code agentkernel.llm.apiKey} / {@code agentkernel.llm.baseUrl}, then the
 * environment ({@code LLM_API_KEY}, {@code AGENTKERNEL_LLM_BASE_URL}). The override exists because a
 * notebook cannot change its own environment, yet may start a scripted LLM server and point agents at it.
 */
final class LlmDefaults {
    /** Said at start-up and in the missing-key error when there is no key: the one call that works offline. */
    static final String NO_KEY_HINT = "No LLM_API_KEY is set: run scriptedLlm() first for the offline scripted LLM"
            + " (echoes; [[reply: ...]], [[bash: ...]] directives), or useLlm(baseUrl, apiKey)";
    private static volatile String apiKeyOverride;
    private static volatile String baseUrlOverride;

    private LlmDefaults() {}

    static void set(String baseUrl, String apiKey) {
        baseUrlOverride = blankToNull(baseUrl);
        apiKeyOverride = blankToNull(apiKey);
    }

    static String apiKey() {
        String key = firstNonBlank(apiKeyOverride, System.getProperty("agentkernel.llm.apiKey"),
                System.getenv("LLM_API_KEY"));
        return key == null ? "" : key;
    }

    /** Null means the provider's public endpoint. */
    static String baseUrl() {
        return firstNonBlank(baseUrlOverride, System.getProperty("agentkernel.llm.baseUrl"),
                System.getenv("AGENTKERNEL_LLM_BASE_URL"));
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) if (v != null && !v.isBlank()) return v;
        return null;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
