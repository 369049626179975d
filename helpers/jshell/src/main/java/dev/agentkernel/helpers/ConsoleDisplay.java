package dev.agentkernel.helpers;

import java.io.PrintStream;

/**
 * The default display: plain text on {@code System.out}. The stream is looked up on every call because
 * JShell and test harnesses replace {@code System.out} after this class is loaded.
 */
public final class ConsoleDisplay implements Display {

    @Override
    public void print(String text) {
        PrintStream out = System.out;
        out.print(text);
        out.flush();
    }

    @Override
    public void html(String html, String plainText) {
        PrintStream out = System.out;
        out.println(plainText);
        out.flush();
    }

    /** A console cannot rewrite earlier output, so every update prints the new text again. */
    @Override
    public DisplayHandle markdown(String markdown) {
        print(markdown + System.lineSeparator());
        return updated -> print(updated + System.lineSeparator());
    }

    @Override
    public boolean isRich() {
        return false;
    }
}
