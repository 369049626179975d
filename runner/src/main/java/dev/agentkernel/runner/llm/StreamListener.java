package dev.agentkernel.runner.llm;

/** Receives the model's output as it streams, so the turn can forward each piece at once. */
public interface StreamListener {
    void onText(String delta);

    void onThinking(String delta);
}
