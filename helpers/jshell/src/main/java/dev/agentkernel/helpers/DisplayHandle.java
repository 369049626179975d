package dev.agentkernel.helpers;

/** A displayed Markdown block that can be replaced in place (Jupyter: {@code update_display_data}). */
public interface DisplayHandle {
    void update(String markdown);
}
