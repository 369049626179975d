package dev.agentkernel.jupyter.display;

import dev.agentkernel.helpers.Display;
import dev.agentkernel.helpers.DisplayHandle;
import dev.agentkernel.helpers.LiveText;
import dev.agentkernel.helpers.MimeBundle;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;

import java.util.UUID;

/** How helpers show things in a notebook: text as stdout, HTML and Markdown as display data. */
public final class JupyterDisplay implements Display {
    private final CellOutput output;

    public JupyterDisplay(CellOutput output) {
        this.output = output;
    }

    @Override
    public void print(String text) {
        output.print(text);
    }

    @Override
    public void html(String html, String plainText) {
        DisplayData data = new DisplayData(plainText == null ? "" : plainText);
        data.putHTML(html);
        output.display(data);
    }

    @Override
    public DisplayHandle markdown(String markdown) {
        String id = "agentkernel-" + UUID.randomUUID();
        output.display(markdownData(markdown, id));
        return updated -> output.updateDisplay(markdownData(updated, id));
    }

    @Override
    public void display(MimeBundle bundle, String displayId) {
        output.display(data(bundle, displayId));
    }

    @Override
    public void updateDisplay(String displayId, MimeBundle bundle) {
        output.updateDisplay(data(bundle, displayId));
    }

    private static DisplayData data(MimeBundle bundle, String displayId) {
        DisplayData data = new DisplayData();
        bundle.data().forEach(data::putData);
        if (displayId != null) data.setDisplayId(displayId);
        return data;
    }

    @Override
    public LiveText liveText() {
        String id = "agentkernel-live-" + UUID.randomUUID();
        return new LiveText() {
            @Override
            public void append(String delta) {
                if (!delta.isEmpty()) output.printLive(id, delta);
            }

            @Override
            public void finish(String markdown) {
                DisplayData data = new DisplayData();
                data.putMarkdown(markdown); // no text/plain: a terminal already printed the text as it streamed
                output.replaceLive(id, data);
            }
        };
    }

    @Override
    public boolean isRich() {
        return true;
    }

    private static DisplayData markdownData(String markdown, String displayId) {
        DisplayData data = new DisplayData(markdown);
        data.putMarkdown(markdown);
        data.setDisplayId(displayId);
        return data;
    }
}
