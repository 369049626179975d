package dev.agentkernel.runner.llm;

/** Receives the model's output as it streams, so the turn can forward each piece at once. */
public interface StreamListener {
    /** Drops everything (a rehearsal's output goes nowhere). */
    StreamListener NONE = new StreamListener() {
        @Override
        public void onText(String delta) {}

        @Override
        public void onThinking(String delta) {}
    };

    void onText(String delta);

    void onThinking(String delta);
}
