package dev.agentkernel.spawn.sandbox.net;

import dev.agentkernel.ConfigException;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code host:port} pairs a sandboxed agent may reach through its {@link EgressProxy}.
 *
 * <p>Entries are {@code host:port}, {@code [v6address]:port} or {@code *.example.com:port} (any subdomain of
 * example.com, not example.com itself). Hosts match case-insensitively and by name only: the proxy resolves
 * the name itself, so {@code localhost:80} does not allow {@code 127.0.0.1:80}. Ports match exactly.
 */
public final class EgressAllowList {
    private static final String KEY = "sandbox.allow";
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,5}");
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-f:.]+");
    private static final EgressAllowList NONE = new EgressAllowList(List.of());

    /** One parsed entry; {@code host} is canonical (lower case, IPv6 in full form), {@code text} is what we show. */
    private record Rule(String text, String host, int port, boolean wildcard) {
        boolean matches(String canonicalHost, int p) {
            if (p != port) return false;
            if (!wildcard) return canonicalHost.equals(host);
            // An address is not "a subdomain": *.0.1:80 must not let 10.0.0.1 through.
            return !isAddress(canonicalHost) && canonicalHost.endsWith("." + host);
        }
    }

    private final List<Rule> rules;

    private EgressAllowList(List<Rule> rules) { this.rules = List.copyOf(rules); }

    /** Allows nothing. */
    public static EgressAllowList none() { return NONE; }

    /**
     * Parses entries of the config key {@code sandbox.allow}. Duplicates are dropped.
     *
     * @throws ConfigException naming the bad entry and how to write it
     */
    public static EgressAllowList of(List<String> entries) {
        Map<String, Rule> rules = new LinkedHashMap<>();
        for (String entry : entries) {
            Rule rule = parse(entry);
            rules.putIfAbsent(rule.text(), rule);
        }
        return new EgressAllowList(new ArrayList<>(rules.values()));
    }

    /**
     * The entry that allows the host of an http(s) URL, such as an LLM base URL: {@code host:port}, the port
     * defaulting to 443 for https and 80 for http. Path and query are ignored.
     *
     * @throws ConfigException if the URL is not http(s) or names no host
     */
    public static String forUrl(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        int defaultPort = switch (scheme) {
            case "https" -> 443;
            case "http" -> 80;
            default -> -1;
        };
        String host = url.getHost();
        if (defaultPort < 0 || host == null || host.isEmpty()) {
            throw new ConfigException("URL '" + url + "' is not an http:// or https:// URL with a host, so the sandbox cannot"
                    + " allow its host; write it like https://api.example.com/v1");
        }
        // getHost() keeps the brackets of an IPv6 address, which is the form an entry needs.
        return host.toLowerCase(Locale.ROOT) + ":" + (url.getPort() >= 0 ? url.getPort() : defaultPort);
    }

    /** This list plus one entry. */
    public EgressAllowList with(String entry) { return plus(of(List.of(entry))); }

    /** This list plus every entry of {@code other}. */
    public EgressAllowList plus(EgressAllowList other) {
        List<String> all = new ArrayList<>(entries());
        all.addAll(other.entries());
        return of(all);
    }

    /** Whether the agent may reach {@code host} (a name, an IPv4 address or an IPv6 address with or without brackets). */
    public boolean allows(String host, int port) {
        String canonical = canonicalHost(host);
        if (canonical == null) return false;
        for (Rule rule : rules) {
            if (rule.matches(canonical, port)) return true;
        }
        return false;
    }

    /** The entries in canonical form (lower case), in the order given. */
    public List<String> entries() { return rules.stream().map(Rule::text).toList(); }

    public boolean isEmpty() { return rules.isEmpty(); }

    /** The entries, comma separated, or "nothing": written into refusal messages. */
    @Override
    public String toString() { return rules.isEmpty() ? "nothing" : String.join(", ", entries()); }

    @Override
    public boolean equals(Object o) { return o instanceof EgressAllowList other && entries().equals(other.entries()); }

    @Override
    public int hashCode() { return entries().hashCode(); }

    private static Rule parse(String raw) {
        String entry = raw == null ? "" : raw.trim();
        if (entry.isEmpty()) {
            throw new ConfigException(KEY + " has an empty entry: write host:port, e.g. pypi.org:443");
        }
        if (entry.contains("://")) {
            throw bad(entry, "is a URL, not host:port: write " + urlHint(entry));
        }
        String lower = entry.toLowerCase(Locale.ROOT);
        if (lower.startsWith("[")) return parseBracketed(entry, lower);
        int colon = lower.lastIndexOf(':');
        if (colon < 0) {
            throw bad(entry, "has no port: write " + lower + ":443 (or the port the service uses)");
        }
        String host = lower.substring(0, colon);
        if (host.contains(":")) {
            throw bad(entry, "looks like an IPv6 address without brackets: write [address]:port, e.g. [2001:db8::1]:443");
        }
        int port = port(entry, lower.substring(colon + 1), host);
        boolean wildcard = host.startsWith("*.");
        String name = wildcard ? host.substring(2) : host;
        if (name.endsWith(".")) name = name.substring(0, name.length() - 1);
        if (host.contains("*") && (!wildcard || name.contains("*"))) {
            throw bad(entry, "has a wildcard that is not a leading '*.': write e.g. *.example.com:" + port
                    + " (any subdomain of example.com)");
        }
        if (!isHostName(name)) {
            throw bad(entry, "has an invalid host name '" + host + "': write host:port, e.g. pypi.org:443");
        }
        if (wildcard && isAddress(name)) {
            throw bad(entry, "puts a wildcard in front of an address: write the address itself, e.g. " + name + ":" + port);
        }
        return new Rule((wildcard ? "*." : "") + name + ":" + port, name, port, wildcard);
    }

    private static Rule parseBracketed(String entry, String lower) {
        int close = lower.indexOf(']');
        if (close < 0) {
            throw bad(entry, "has no closing ']': write [address]:port, e.g. [2001:db8::1]:443");
        }
        String address = lower.substring(1, close);
        String rest = lower.substring(close + 1);
        if (rest.isEmpty()) {
            throw bad(entry, "has no port: write " + lower + ":443 (or the port the service uses)");
        }
        if (!rest.startsWith(":")) {
            throw bad(entry, "has '" + rest + "' after ']': write [address]:port, e.g. [2001:db8::1]:443");
        }
        int port = port(entry, rest.substring(1), lower.substring(0, close + 1));
        String canonical = canonicalIpv6(address);
        if (canonical == null) {
            throw bad(entry, "has an invalid IPv6 address '" + address + "': write [address]:port, e.g. [2001:db8::1]:443");
        }
        return new Rule("[" + address + "]:" + port, canonical, port, false);
    }

    private static int port(String entry, String text, String host) {
        int port = DIGITS.matcher(text).matches() ? Integer.parseInt(text) : -1;
        if (port < 1 || port > 65535) {
            throw bad(entry, "has port '" + text + "', which is not a number from 1 to 65535: write e.g. " + host + ":443");
        }
        return port;
    }

    private static String urlHint(String entry) {
        try {
            return forUrl(URI.create(entry));
        } catch (RuntimeException e) {
            return "host:port, e.g. pypi.org:443";
        }
    }

    private static ConfigException bad(String entry, String problem) {
        return new ConfigException(KEY + " entry '" + entry + "' " + problem);
    }

    private static boolean isHostName(String name) {
        if (name.isEmpty() || name.length() > 253) return false;
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) return false;
        }
        return true;
    }

    private static boolean isAddress(String canonicalHost) {
        return canonicalHost.contains(":") || IPV4.matcher(canonicalHost).matches();
    }

    /** Lower case, no brackets, no trailing dot, IPv6 in full form; null for a malformed IPv6 address. */
    static String canonicalHost(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        if (h.contains(":")) return canonicalIpv6(h);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** The full form of an IPv6 literal, so that ::1 and 0:0:0:0:0:0:0:1 are one host; null if malformed. */
    private static String canonicalIpv6(String address) {
        if (!address.contains(":") || !IPV6_CHARS.matcher(address).matches()) return null;
        try {
            // The brackets make the JDK parse a literal and never fall back to a DNS lookup.
            return InetAddress.getByName("[" + address + "]").getHostAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
