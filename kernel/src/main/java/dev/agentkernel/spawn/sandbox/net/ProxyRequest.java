package dev.agentkernel.spawn.sandbox.net;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * What a client asks of the proxy: a tunnel ({@code CONNECT host:port}) or one plain-http request in absolute
 * form ({@code GET http://host/path}), which goes to the server rewritten to origin form.
 *
 * @param upstreamHead for a plain-http request, the head to send to the server; empty for a tunnel
 */
record ProxyRequest(String method, HostPort target, boolean tunnel, byte[] upstreamHead, String pathAndQuery) {
    /** A CONNECT tunnel, whose path travels inside TLS. */
    ProxyRequest(String method, HostPort target, boolean tunnel, byte[] upstreamHead) {
        this(method, target, tunnel, upstreamHead, null);
    }

    static final String EXPECTED = "a proxy request is expected: CONNECT host:port, or an absolute URL such as GET http://host/path";
    /** Meant for the proxy alone: neither its credentials nor its connection handling concern the server. */
    private static final Set<String> PROXY_HEADERS = Set.of("proxy-connection", "proxy-authorization");
    /** Replaced by "Connection: close" (see {@link #originForm}). */
    private static final Set<String> CONNECTION_HEADERS = Set.of("connection", "keep-alive");

    static ProxyRequest from(RequestHead head) throws RequestHead.Malformed {
        String target = head.target();
        if (head.method().equals("CONNECT")) {
            try {
                return new ProxyRequest(head.method(), HostPort.parse(target, -1), true, new byte[0]);
            } catch (IllegalArgumentException e) {
                throw new RequestHead.Malformed("CONNECT needs host:port: " + RequestHead.printable(e.getMessage()));
            }
        }
        String lower = target.toLowerCase(Locale.ROOT);
        if (target.startsWith("/") || target.equals("*")) {
            throw new RequestHead.Malformed("'" + RequestHead.printable(head.method() + " " + target) + "' is a request for a server,"
                    + " but this is the sandbox's HTTP proxy; " + EXPECTED);
        }
        if (lower.startsWith("https://")) {
            throw new RequestHead.Malformed("https URLs go through a tunnel: send CONNECT host:443 and speak TLS inside it; " + EXPECTED);
        }
        if (!lower.startsWith("http://")) {
            throw new RequestHead.Malformed("'" + RequestHead.printable(target) + "' is not an http:// URL; " + EXPECTED);
        }
        String rest = target.substring("http://".length());
        int end = indexOfAny(rest, "/?#");
        String authority = rest.substring(0, end);
        if (authority.contains("@")) {
            throw new RequestHead.Malformed("URLs with user info ('" + RequestHead.printable(authority) + "') are not supported; " + EXPECTED);
        }
        HostPort hostPort;
        try {
            hostPort = HostPort.parse(authority, 80);
        } catch (IllegalArgumentException e) {
            throw new RequestHead.Malformed("the URL's host: " + RequestHead.printable(e.getMessage()) + "; " + EXPECTED);
        }
        String pathAndQuery = rest.substring(end);
        int fragment = pathAndQuery.indexOf('#');
        if (fragment >= 0) pathAndQuery = pathAndQuery.substring(0, fragment);
        if (!pathAndQuery.startsWith("/")) pathAndQuery = "/" + pathAndQuery;
        return new ProxyRequest(head.method(), hostPort, false, originForm(head, pathAndQuery, authority), pathAndQuery);
    }

    /**
     * The head for the server. Unless the client asks for an upgrade (a WebSocket), the server is told to close
     * after its response: the client's connection becomes a pipe to this one server, and a client that pools
     * proxy connections across hosts must not send its next request for another host down that pipe.
     */
    private static byte[] originForm(RequestHead head, String pathAndQuery, String authority) {
        boolean upgrade = head.headerLines().stream()
                .filter(line -> RequestHead.headerName(line).equals("connection"))
                .anyMatch(line -> line.toLowerCase(Locale.ROOT).contains("upgrade"));
        StringBuilder out = new StringBuilder();
        out.append(head.method()).append(' ').append(pathAndQuery).append(' ').append(head.version()).append("\r\n");
        for (String line : head.headerLines()) {
            String name = RequestHead.headerName(line);
            if (PROXY_HEADERS.contains(name) || (!upgrade && CONNECTION_HEADERS.contains(name))) continue;
            out.append(line).append("\r\n");
        }
        if (head.header("Host").isEmpty()) out.append("Host: ").append(authority).append("\r\n");
        if (!upgrade) out.append("Connection: close\r\n");
        out.append("\r\n");
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) return i;
        }
        return s.length();
    }
}
