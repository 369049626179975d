package dev.agentkernel.helpers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a display shows: content per MIME type, as Jupyter's {@code display_data} carries it. Text types hold
 * the text; binary types ({@code image/png}, ...) hold base64. {@code text/plain} is always present, so a console
 * (or a front end that renders nothing richer) still has something to show.
 */
public record MimeBundle(Map<String, String> data) {
    public static final String TEXT = "text/plain";
    public static final String HTML = "text/html";
    public static final String MARKDOWN = "text/markdown";
    public static final String PNG = "image/png";

    public MimeBundle {
        Objects.requireNonNull(data, "data");
        if (!data.containsKey(TEXT)) {
            throw new IllegalArgumentException("a mime bundle needs text/plain for front ends that render nothing "
                    + "richer; it has only " + data.keySet());
        }
        data = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    /** {@code text/plain} plus {@code type} with {@code content}. */
    public static MimeBundle of(String plainText, String type, String content) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(TEXT, plainText == null ? "" : plainText);
        if (type != null && !type.equals(TEXT)) data.put(type, content);
        return new MimeBundle(data);
    }

    public static MimeBundle text(String plainText) {
        return of(plainText, null, null);
    }

    public String plainText() {
        return data.get(TEXT);
    }
}
