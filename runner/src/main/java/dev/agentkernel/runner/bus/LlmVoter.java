package dev.agentkernel.runner.bus;

import dev.agentkernel.runner.llm.LlmException;
import dev.agentkernel.runner.llm.ModelRequest;
import dev.agentkernel.runner.llm.ModelResponse;
import dev.agentkernel.runner.llm.Providers;
import dev.agentkernel.runner.llm.StreamListener;
import dev.agentkernel.runner.model.Cancellation;
import dev.agentkernel.runner.model.ChatMessage;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks the agent's own model whether a tool call is safe. The answer must start with APPROVE or REJECT;
 * anything else, or a failed call, is a reject, so a confused or unreachable reviewer never lets a call through.
 */
public final class LlmVoter implements Voter {
    public static final String NAME = "llm";
    static final String SYSTEM_PROMPT = "You review tool calls an AI agent wants to make on a developer's machine. "
            + "Answer with one line: APPROVE or REJECT, then a short reason. Reject anything destructive, anything "
            + "that reads secrets, writes outside the agent's workspace, or runs code downloaded from the network.";
    private static final Pattern VERDICT = Pattern.compile("^\\W*(APPROVE|REJECT)\\b[\\s:,.*_-]*(.*)$",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final StreamListener IGNORE = new StreamListener() {
        @Override
        public void onText(String delta) {}

        @Override
        public void onThinking(String delta) {}
    };

    private final Providers providers;

    public LlmVoter(Providers providers) {
        this.providers = providers;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Vote> vote(Intention intention) {
        String question = "The agent wants to call the tool '" + intention.tool() + "' with this input:\n"
                + intention.input() + "\nAPPROVE or REJECT?";
        try {
            ModelResponse response = providers.get().complete(
                    new ModelRequest(SYSTEM_PROMPT, List.of(ChatMessage.userText(question)), List.of()), IGNORE, new Cancellation());
            return Optional.of(parse(new ChatMessage(ChatMessage.ASSISTANT, response.content()).text()));
        } catch (LlmException e) {
            return Optional.of(Vote.reject(NAME, "the reviewing model could not be asked: " + e.getMessage()));
        }
    }

    static Vote parse(String answer) {
        Matcher m = VERDICT.matcher(answer.strip());
        if (!m.matches()) {
            String shown = answer.strip().length() > 200 ? answer.strip().substring(0, 200) + "..." : answer.strip();
            return Vote.reject(NAME, "the reviewing model gave no APPROVE/REJECT verdict: \"" + shown + "\"");
        }
        String reason = m.group(2).strip().isEmpty() ? "(no reason given)" : m.group(2).strip();
        return new Vote(m.group(1).equalsIgnoreCase("APPROVE"), NAME, reason);
    }
}
