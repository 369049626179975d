package dev.agentkernel.fakellm;

import java.util.ArrayList;
import java.util.List;

/** How answers are cut into stream deltas, so clients are exercised the way real streams do. */
final class Chunking {
    private Chunking() {}

    /** Splits after each run of whitespace: {@code "Echo: a b"} becomes {@code ["Echo: ", "a ", "b"]}. */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            if (Character.isWhitespace(text.charAt(i))) {
                while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                    i++;
                }
                out.add(text.substring(start, i));
                start = i;
            } else {
                i++;
            }
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }

    /**
     * Cuts serialised tool-input JSON the way the real APIs do: pieces end mid-token. The first cut
     * falls inside the first key, the second right after its colon (between key and value), and the
     * rest is cut into short pieces that split string values. Concatenating the pieces gives back
     * {@code json} exactly.
     */
    static List<String> partialJson(String json) {
        List<Integer> cuts = new ArrayList<>();
        int keyStart = json.indexOf('"');
        if (keyStart >= 0 && keyStart + 4 < json.length()) {
            cuts.add(keyStart + 4);
        }
        int colon = json.indexOf(':');
        if (colon >= 0) {
            cuts.add(colon + 1);
        }
        int last = cuts.isEmpty() ? 0 : cuts.getLast();
        for (int pos = last + 7; pos < json.length(); pos += 7) {
            cuts.add(pos);
        }
        List<String> pieces = new ArrayList<>();
        int prev = 0;
        for (int cut : cuts) {
            if (cut > prev && cut < json.length()) {
                pieces.add(json.substring(prev, cut));
                prev = cut;
            }
        }
        pieces.add(json.substring(prev));
        return pieces;
    }
}
