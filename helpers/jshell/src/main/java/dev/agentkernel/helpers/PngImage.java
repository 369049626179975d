package dev.agentkernel.helpers;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A PNG image ({@code image/png}), from PNG bytes or a {@link BufferedImage}. The console shows a line naming its
 * size, since a terminal cannot show the picture.
 */
public record PngImage(byte[] png, int width, int height) implements Renderable {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    public PngImage {
        png = validated(png).clone();
    }

    /** Whether {@code bytes} start like a PNG file. */
    public static boolean isPng(byte[] bytes) {
        return bytes != null && bytes.length >= 24 && Arrays.equals(Arrays.copyOf(bytes, 8), SIGNATURE);
    }

    private static byte[] validated(byte[] png) {
        Objects.requireNonNull(png, "image(null): pass PNG bytes, e.g. Files.readAllBytes(Path.of(\"plot.png\")), or a BufferedImage");
        if (!isPng(png)) {
            throw new IllegalArgumentException("these " + png.length + " bytes are not a PNG image (no PNG "
                    + "signature): pass the bytes of a .png file, or a BufferedImage");
        }
        return png;
    }

    /** PNG bytes; the size is read from the image header. */
    public static PngImage of(byte[] png) {
        validated(png);
        return new PngImage(png, readInt(png, 16), readInt(png, 20));
    }

    public static PngImage of(BufferedImage image) {
        Objects.requireNonNull(image, "image(null): pass PNG bytes or a BufferedImage");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalArgumentException("this BufferedImage (type " + image.getType()
                        + ") cannot be written as PNG; draw it into a TYPE_INT_ARGB image first");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("encoding the image as PNG failed", e);
        }
        return new PngImage(out.toByteArray(), image.getWidth(), image.getHeight());
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    @Override
    public byte[] png() {
        return png.clone();
    }

    @Override
    public MimeBundle mimeBundle() {
        return MimeBundle.of(toString(), MimeBundle.PNG, Base64.getEncoder().encodeToString(png));
    }

    @Override
    public String toString() {
        return "[PNG image " + width + "x" + height + ", " + png.length + " bytes]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PngImage other && Arrays.equals(png, other.png);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(png);
    }
}
