package dev.agentkernel.runner.llm;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The config's {@code thinking_level}, with the Anthropic extended-thinking budget each maps to. */
public enum ThinkingLevel {
    NONE(0), LOW(2048), MEDIUM(8192), HIGH(24576);

    private final int budgetTokens;

    ThinkingLevel(int budgetTokens) {
        this.budgetTokens = budgetTokens;
    }

    public int budgetTokens() {
        return budgetTokens;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(ThinkingLevel::wireName).toList();
    }

    /** @throws LlmException naming the valid levels */
    public static ThinkingLevel parse(String s) {
        for (ThinkingLevel level : values()) {
            if (level.wireName().equalsIgnoreCase(s == null ? "none" : s.trim())) {
                return level;
            }
        }
        throw new LlmException("unknown thinking_level '" + s + "': use one of " + names());
    }
}
