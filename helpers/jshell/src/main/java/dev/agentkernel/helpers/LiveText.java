package dev.agentkernel.helpers;

/**
 * Assistant text while it arrives: streamed as plain output (what a terminal front end such as
 * {@code jupyter console} can show), then replaced in place by its Markdown rendering once the stretch of
 * text ends. See {@link Display#liveText()}.
 */
public interface LiveText {
    /** More text, shown at once. */
    void append(String delta);

    /** The stretch ended: show {@code markdown} instead of the streamed text. */
    void finish(String markdown);
}
