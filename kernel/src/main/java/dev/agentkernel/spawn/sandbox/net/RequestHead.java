package dev.agentkernel.spawn.sandbox.net;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A parsed HTTP/1.x request head. Text is decoded as ISO-8859-1, so header values with any bytes survive
 * being written out again unchanged.
 */
record RequestHead(String method, String target, String version, List<String> headerLines) {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern VERSION = Pattern.compile("HTTP/1\\.[01]");

    /** Not an HTTP/1.x request head; the message says why, for the 400 reply. */
    static final class Malformed extends Exception {
        Malformed(String message) { super(message); }
    }

    /** Parses a head as read by {@link HeadReader} (ending in an empty line). */
    static RequestHead parse(byte[] head) throws Malformed {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\r\n", -1)));
        // The head ends with CRLF CRLF: two empty strings after the split.
        while (!lines.isEmpty() && lines.getLast().isEmpty()) lines.removeLast();
        if (lines.isEmpty()) throw new Malformed("the request is empty");
        String requestLine = lines.getFirst();
        String[] parts = requestLine.split(" ", -1);
        if (parts.length != 3 || !TOKEN.matcher(parts[0]).matches() || parts[1].isEmpty() || hasControl(parts[1]) || !VERSION.matcher(parts[2]).matches()) {
            throw new Malformed("'" + printable(requestLine) + "' is not an HTTP/1.x request line (METHOD target HTTP/1.1)");
        }
        List<String> headers = lines.subList(1, lines.size());
        for (String line : headers) {
            int colon = line.indexOf(':');
            if (colon <= 0 || !TOKEN.matcher(line.substring(0, colon)).matches() || hasControl(line.replace('\t', ' '))) {
                throw new Malformed("'" + printable(line) + "' is not a header line (Name: value)");
            }
        }
        return new RequestHead(parts[0], parts[1], parts[2], List.copyOf(headers));
    }

    /** The first value of header {@code name} (case-insensitive), trimmed. */
    Optional<String> header(String name) {
        for (String line : headerLines) {
            if (headerName(line).equalsIgnoreCase(name)) return Optional.of(line.substring(line.indexOf(':') + 1).trim());
        }
        return Optional.empty();
    }

    static String headerName(String line) { return line.substring(0, line.indexOf(':')).trim().toLowerCase(Locale.ROOT); }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) return true;
        }
        return false;
    }

    /** Shortened, control characters replaced: request text quoted back in replies and logs. */
    static String printable(String s) {
        String shown = s.length() > 200 ? s.substring(0, 200) + "..." : s;
        StringBuilder out = new StringBuilder(shown.length());
        for (char c : shown.toCharArray()) out.append(c < 0x20 || c == 0x7f ? '?' : c);
        return out.toString();
    }
}
