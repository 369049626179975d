package dev.agentkernel;

import java.util.List;

/** Spawn info for the {@code openclaw} agent type: the seed's fields and defaults. */
public record OpenClawSpawnInfo(
        String systemPrompt,
        String model,
        String provider,
        List<String> tools,
        String thinkingLevel,
        String apiKey,
        String baseUrl,
        Integer maxToolRounds) implements SpawnInfo {

    public static final String AGENT_TYPE = "openclaw";
    public static final String DEFAULT_MODEL = "claude-sonnet-4-5";
    public static final String DEFAULT_PROVIDER = "anthropic";
    public static final List<String> DEFAULT_TOOLS = List.of("bash");
    public static final String DEFAULT_THINKING_LEVEL = "none";
    public static final List<String> THINKING_LEVELS = List.of("none", "low", "medium", "high");
    public static final List<String> PROVIDERS = List.of("anthropic", "openai");

    public OpenClawSpawnInfo {
        systemPrompt = systemPrompt == null ? "" : systemPrompt;
        model = model == null || model.isBlank() ? DEFAULT_MODEL : model;
        provider = provider == null || provider.isBlank() ? DEFAULT_PROVIDER : provider;
        tools = tools == null ? DEFAULT_TOOLS : List.copyOf(tools);
        thinkingLevel = thinkingLevel == null || thinkingLevel.isBlank() ? DEFAULT_THINKING_LEVEL : thinkingLevel;
        apiKey = apiKey == null ? "" : apiKey;
    }

    @Override
    public String agentType() { return AGENT_TYPE; }

    public static Builder builder() { return new Builder(); }

    /** Never print the API key. */
    @Override
    public String toString() {
        return "OpenClawSpawnInfo[model=" + model + ", provider=" + provider + ", tools=" + tools
                + ", thinkingLevel=" + thinkingLevel + ", baseUrl=" + baseUrl
                + ", apiKey=" + (apiKey.isEmpty() ? "<none>" : "<redacted>") + "]";
    }

    public static final class Builder {
        private String systemPrompt, model, provider, thinkingLevel, apiKey, baseUrl;
        private List<String> tools;
        private Integer maxToolRounds;

        public Builder systemPrompt(String v) { systemPrompt = v; return this; }
        public Builder model(String v) { model = v; return this; }
        public Builder provider(String v) { provider = v; return this; }
        public Builder tools(List<String> v) { tools = v; return this; }
        public Builder thinkingLevel(String v) { thinkingLevel = v; return this; }
        public Builder apiKey(String v) { apiKey = v; return this; }
        public Builder baseUrl(String v) { baseUrl = v; return this; }
        public Builder maxToolRounds(int v) { maxToolRounds = v; return this; }

        public OpenClawSpawnInfo build() {
            return new OpenClawSpawnInfo(systemPrompt, model, provider, tools, thinkingLevel, apiKey, baseUrl, maxToolRounds);
        }
    }
}
