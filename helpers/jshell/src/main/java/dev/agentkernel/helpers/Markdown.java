package dev.agentkernel.helpers;

import java.util.Objects;

/** Markdown to render: {@code display(new Markdown("**bold**"))}, or a cell ending in {@code markdown("...")}. */
public record Markdown(String text) implements Renderable {
    public Markdown {
        Objects.requireNonNull(text, "Markdown(null): pass the Markdown text");
    }

    @Override
    public MimeBundle mimeBundle() {
        return MimeBundle.of(text, MimeBundle.MARKDOWN, text);
    }
}
