package dev.agentkernel.helpers;

/**
 * A value that knows how to show itself: {@code display(value)} and a cell's last expression use its bundle.
 * {@link Markdown}, {@link HTML} and {@link PngImage} are the built-in ones; implement it for your own types.
 */
public interface Renderable {
    MimeBundle mimeBundle();
}
