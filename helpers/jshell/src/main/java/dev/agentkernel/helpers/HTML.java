package dev.agentkernel.helpers;

import java.util.Objects;

/**
 * HTML to render as it is (it is trusted: do not wrap an agent's text in it unescaped; use {@link Table#escape}).
 * The console shows {@code plainText}, or the HTML source if none was given.
 */
public record HTML(String html, String plainText) implements Renderable {
    public HTML {
        Objects.requireNonNull(html, "HTML(null): pass the HTML text");
        if (plainText == null) plainText = html;
    }

    public HTML(String html) {
        this(html, null);
    }

    @Override
    public MimeBundle mimeBundle() {
        return MimeBundle.of(plainText, MimeBundle.HTML, html);
    }
}
