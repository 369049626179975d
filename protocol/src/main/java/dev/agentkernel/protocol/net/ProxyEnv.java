package dev.agentkernel.protocol.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The corporate proxy as the environment names it ({@code HTTP_PROXY}, {@code HTTPS_PROXY}, {@code NO_PROXY}, and
 * their lower-case forms, which win as in curl), read in this one place by every outgoing client of the kernel and
 * the runner: the runner's LLM SDK calls, the sandbox's egress relay (which chains to it), the environment handed to
 * local runners and their tools and to pods.
 *
 * <p>{@code NO_PROXY}: comma- or space-separated entries; {@code *} bypasses everything; an entry matches a host equal
 * to it or ending in {@code .entry} (a leading dot or {@code *.} is allowed); an entry with {@code :port} only matches
 * that port; IP literals match exactly. Loopback ({@code localhost}, {@code 127.0.0.0/8}, {@code ::1}) is never
 * proxied: the kernel talks to its runners there and a proxy could not reach them.
 *
 * @param httpProxy  proxy for {@code http://} URLs, or null
 * @param httpsProxy proxy for {@code https://} URLs, or null
 * @param noProxy    the {@code NO_PROXY} entries, lower-case
 */
public record ProxyEnv(URI httpProxy, URI httpsProxy, List<String> noProxy) {
    /** The variables, in the order they are looked up (lower-case first). */
    public static final List<String> NAMES = List.of("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY");
    public static final ProxyEnv NONE = new ProxyEnv(null, null, List.of());

    public ProxyEnv {
        noProxy = List.copyOf(noProxy);
    }

    /**
     * From an environment map.
     *
     * @throws IllegalArgumentException naming the variable when a proxy URL cannot be used
     */
    public static ProxyEnv of(Map<String, String> env) {
        return new ProxyEnv(url(env, "http_proxy", "HTTP_PROXY"), url(env, "https_proxy", "HTTPS_PROXY"),
                entries(first(env, "no_proxy", "NO_PROXY")));
    }

    /** Whether any proxy is set. */
    public boolean isSet() { return httpProxy != null || httpsProxy != null; }

    /** The variables of {@link #NAMES} present in {@code env}, to hand on to a child process as they were. */
    public static Map<String, String> variables(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : NAMES) {
            String v = env.get(name);
            if (v != null && !v.isBlank()) out.put(name, v);
        }
        return out;
    }

    /** The proxy to use for {@code target}, or {@link Proxy#NO_PROXY}. */
    public Proxy proxyFor(URI target) {
        if (target == null || target.getHost() == null) return Proxy.NO_PROXY;
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        URI proxy = switch (scheme) {
            case "https", "wss" -> httpsProxy != null ? httpsProxy : null;
            case "http", "ws" -> httpProxy;
            default -> null;
        };
        if (proxy == null || bypasses(target.getHost(), port(target))) return Proxy.NO_PROXY;
        return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(proxy.getHost(), port(proxy)));
    }

    /** Whether {@code host:port} is reached directly (loopback, or a {@code NO_PROXY} entry). */
    public boolean bypasses(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        if (h.equals("localhost") || h.endsWith(".localhost") || h.startsWith("127.") || h.equals("::1")) return true;
        for (String entry : noProxy) {
            if (entry.equals("*")) return true;
            String e = entry;
            int entryPort = -1;
            int colon = e.lastIndexOf(':');
            if (colon > 0 && !e.contains("]") && e.indexOf(':') == colon) {
                try {
                    entryPort = Integer.parseInt(e.substring(colon + 1));
                    e = e.substring(0, colon);
                } catch (NumberFormatException ignored) {
                    // not a port: an IPv6 literal or junk, compared as it is
                }
            }
            if (entryPort >= 0 && entryPort != port) continue;
            if (e.startsWith("*.")) e = e.substring(1);
            if (e.startsWith(".") ? h.endsWith(e) || h.equals(e.substring(1)) : h.equals(e) || h.endsWith("." + e)) return true;
        }
        return false;
    }

    /** For clients that take a {@link ProxySelector} (the JDK HttpClient, Jib's system properties aside). */
    public ProxySelector selector() {
        return new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) { return List.of(proxyFor(uri)); }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
                // no alternative proxy to fall back to
            }
        };
    }

    /** This with {@code more} added to {@code NO_PROXY} (e.g. a cluster's internal names for pods). */
    public ProxyEnv bypassing(List<String> more) {
        List<String> all = new ArrayList<>(noProxy);
        for (String m : more) if (m != null && !m.isBlank() && !all.contains(m.toLowerCase(Locale.ROOT))) all.add(m.toLowerCase(Locale.ROOT));
        return new ProxyEnv(httpProxy, httpsProxy, all);
    }

    /** The environment variables that say this, in both cases (tools read either). */
    public Map<String, String> toEnv() {
        Map<String, String> out = new LinkedHashMap<>();
        if (httpProxy != null) {
            out.put("http_proxy", httpProxy.toString());
            out.put("HTTP_PROXY", httpProxy.toString());
        }
        if (httpsProxy != null) {
            out.put("https_proxy", httpsProxy.toString());
            out.put("HTTPS_PROXY", httpsProxy.toString());
        }
        if (!noProxy.isEmpty()) {
            out.put("no_proxy", String.join(",", noProxy));
            out.put("NO_PROXY", String.join(",", noProxy));
        }
        return out;
    }

    static int port(URI uri) {
        if (uri.getPort() > 0) return uri.getPort();
        return "https".equalsIgnoreCase(uri.getScheme()) || "wss".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static String first(Map<String, String> env, String lower, String upper) {
        String v = env.get(lower);
        if (v == null || v.isBlank()) v = env.get(upper);
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static URI url(Map<String, String> env, String lower, String upper) {
        String v = first(env, lower, upper);
        if (v == null) return null;
        String name = env.get(lower) != null && !env.get(lower).isBlank() ? lower : upper;
        // curl takes "host:port" without a scheme as http://host:port
        String withScheme = v.contains("://") ? v : "http://" + v;
        URI uri;
        try {
            uri = URI.create(withScheme);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + "=" + v + " is not a URL; use http://host:port", e);
        }
        if (uri.getHost() == null) throw new IllegalArgumentException(name + "=" + v + " names no host; use http://host:port");
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException(name + "=" + v + ": only http:// proxies are supported (CONNECT is used for https targets)");
        }
        return uri;
    }

    private static List<String> entries(String noProxy) {
        if (noProxy == null) return List.of();
        List<String> out = new ArrayList<>();
        for (String e : noProxy.split("[,\\s]+")) if (!e.isBlank()) out.add(e.strip().toLowerCase(Locale.ROOT));
        return out;
    }
}
