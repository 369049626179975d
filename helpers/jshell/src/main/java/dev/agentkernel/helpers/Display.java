package dev.agentkernel.helpers;

/**
 * How helpers show things. The console default prints to {@code System.out}; the Jupyter kernel installs
 * its own so that output lands in the running cell. Implementations must be thread-safe: background turns
 * may report from other threads.
 */
public interface Display {

    /** Streamed text; appears as soon as it is printed (no newline is added). */
    void print(String text);

    /** A rich block; displays that cannot render HTML show {@code plainText}. */
    void html(String html, String plainText);

    /** A Markdown block that can be replaced in place later through the returned handle. */
    DisplayHandle markdown(String markdown);

    /**
     * Shows {@code bundle} as its own output (Jupyter: {@code display_data}); a later
     * {@link #updateDisplay(String, MimeBundle)} with the same {@code displayId} replaces it in place. The
     * default prints the bundle's text, for displays that render nothing richer.
     */
    default void display(MimeBundle bundle, String displayId) {
        String text = bundle.plainText();
        print(text.endsWith("\n") ? text : text + "\n");
    }

    /** Replaces what {@link #display(MimeBundle, String)} showed under {@code displayId}; a console prints it again. */
    default void updateDisplay(String displayId, MimeBundle bundle) {
        display(bundle, displayId);
    }

    /**
     * Text that streams as plain output and is then replaced by its Markdown rendering, or null when this display
     * cannot replace output (then helpers show live text as a Markdown block updated in place).
     */
    default LiveText liveText() {
        return null;
    }

    /**
     * Whether this display renders rich output (HTML, Markdown blocks updated in place) inside a notebook
     * cell. Helpers stream an {@code ask} live only into rich displays, since at a console the caller
     * usually prints the returned text itself. The console default answers false.
     */
    default boolean isRich() {
        return true;
    }

    /** The installed display; {@link ConsoleDisplay} until something else is installed. */
    static Display current() {
        return DisplayRegistry.current();
    }

    /** Installs {@code display} for the whole JVM; {@code null} restores the console default. */
    static void install(Display display) {
        DisplayRegistry.install(display);
    }
}
