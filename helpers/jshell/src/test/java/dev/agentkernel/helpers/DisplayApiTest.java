package dev.agentkernel.helpers;

import jdk.jshell.JShell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.agentkernel.helpers.Helpers.*;
import static org.junit.jupiter.api.Assertions.*;

/** display/updateDisplay and the Markdown, HTML and image values, on a recording display and at a console. */
class DisplayApiTest {

    @AfterEach
    void restoreConsole() {
        Display.install(null);
    }

    @Test
    void displayPicksTheRichestFormAndUpdateKeepsTheId() {
        RecordingDisplay display = new RecordingDisplay(true);
        Display.install(display);
        String id = display(markdown("**one**"));
        updateDisplay(id, markdown("**two**"));
        String htmlId = display("<b>bold</b>", "text/html");
        display(new HTML("<i>x</i>", "x"));
        display(42);

        List<String> events = display.events();
        assertEquals("display:" + id + ":{text/plain=**one**, text/markdown=**one**}", events.get(0));
        assertEquals("updateDisplay:" + id + ":{text/plain=**two**, text/markdown=**two**}", events.get(1));
        assertEquals("display:" + htmlId + ":{text/plain=<b>bold</b>, text/html=<b>bold</b>}", events.get(2));
        assertEquals("display:" + events.get(3).split(":")[1] + ":{text/plain=x, text/html=<i>x</i>}", events.get(3));
        assertTrue(events.get(4).endsWith(":{text/plain=42}"), events.get(4));
        assertNotEquals(id, htmlId, "every display gets its own id");
    }

    @Test
    void imagesFromABufferedImageOrPngBytesArePng() throws Exception {
        BufferedImage picture = new BufferedImage(3, 2, BufferedImage.TYPE_INT_ARGB);
        picture.setRGB(1, 1, 0xFFFF0000);
        MimeBundle bundle = Rendering.mimeBundle(picture);
        byte[] png = Base64.getDecoder().decode(bundle.data().get("image/png"));
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(3, decoded.getWidth());
        assertEquals(0xFFFF0000, decoded.getRGB(1, 1));
        assertEquals("[PNG image 3x2, " + png.length + " bytes]", bundle.plainText());

        PngImage fromBytes = image(png);
        assertEquals(3, fromBytes.width());
        assertEquals(2, fromBytes.height());
        assertEquals(bundle.data(), Rendering.mimeBundle(png).data(), "PNG bytes render as the image");
        var notPng = assertThrows(IllegalArgumentException.class, () -> image(new byte[]{1, 2, 3}));
        assertTrue(notPng.getMessage().contains("not a PNG"), notPng.getMessage());
    }

    @Test
    void aTypeTheValueCannotBeShownAsIsAClearError() {
        Display.install(new RecordingDisplay(true));
        var e = assertThrows(IllegalArgumentException.class, () -> display(42, "image/png"));
        assertTrue(e.getMessage().contains("image/png") && e.getMessage().contains("text/plain"), e.getMessage());
        var noId = assertThrows(IllegalArgumentException.class, () -> updateDisplay("", "x"));
        assertTrue(noId.getMessage().contains("display(...)"), noId.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MimeBundle(Map.of("text/html", "<b>")));
    }

    /** Plain JShell with agentkernel.jsh, as `bin/agentkernel jshell` runs it: the console prints text forms. */
    @Test
    void inPlainJShellTheConsoleShowsTheTextForms() throws Exception {
        PrintStream originalOut = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (JShell shell = JShell.builder().executionEngine("local").build()) {
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                shell.addToClasspath(entry);
            }
            StartupScriptTest.evalAll(shell, StartupScriptTest.startupScript());
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            StartupScriptTest.evalAll(shell, """
                    String id = display(markdown("# Title"));
                    updateDisplay(id, markdown("# Better title"));
                    display("<b>html</b>", "text/html");
                    display(html("<i>x</i>"));
                    display(new java.awt.image.BufferedImage(4, 5, java.awt.image.BufferedImage.TYPE_INT_RGB));
                    """);
        } finally {
            System.setOut(originalOut);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals("# Title", lines.get(0));
        assertEquals("# Better title", lines.get(1), "a console cannot update in place: it prints again");
        assertEquals("<b>html</b>", lines.get(2));
        assertEquals("<i>x</i>", lines.get(3));
        assertTrue(lines.get(4).startsWith("[PNG image 4x5, "), lines.toString());
        assertEquals(5, lines.size(), lines.toString());
    }
}
