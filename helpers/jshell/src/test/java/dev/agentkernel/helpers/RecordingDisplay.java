package dev.agentkernel.helpers;

import java.util.ArrayList;
import java.util.List;

/** A rich display that records every call in order, as "kind:text" strings. */
final class RecordingDisplay implements Display {
    private final List<String> events = new ArrayList<>();
    private final boolean rich;

    RecordingDisplay(boolean rich) {
        this.rich = rich;
    }

    RecordingDisplay() {
        this(true);
    }

    @Override
    public synchronized void print(String text) {
        events.add("print:" + text);
    }

    @Override
    public synchronized void html(String html, String plainText) {
        events.add("html:" + html);
        events.add("text:" + plainText);
    }

    @Override
    public synchronized DisplayHandle markdown(String markdown) {
        int id = (int) events.stream().filter(e -> e.startsWith("markdown")).count();
        events.add("markdown" + id + ":" + markdown);
        return updated -> {
            synchronized (RecordingDisplay.this) {
                events.add("update" + id + ":" + updated);
            }
        };
    }

    @Override
    public synchronized void display(MimeBundle bundle, String displayId) {
        events.add("display:" + displayId + ":" + bundle.data());
    }

    @Override
    public synchronized void updateDisplay(String displayId, MimeBundle bundle) {
        events.add("updateDisplay:" + displayId + ":" + bundle.data());
    }

    @Override
    public boolean isRich() {
        return rich;
    }

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    /** All printed text joined, the way a console would show it. */
    synchronized String printed() {
        StringBuilder out = new StringBuilder();
        for (String e : events) if (e.startsWith("print:")) out.append(e.substring("print:".length()));
        return out.toString();
    }
}
