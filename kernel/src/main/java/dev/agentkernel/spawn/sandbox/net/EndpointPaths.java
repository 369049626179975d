package dev.agentkernel.spawn.sandbox.net;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The paths an agent may ask of its LLM endpoint through the egress proxy: the provider's API under the base URL's
 * path (docs/sandbox.md, "Network"). Only plain-http requests show their path to the proxy; a CONNECT tunnel (https)
 * carries it inside TLS, so there the rule is the host and port alone.
 *
 * @param endpoint the endpoint's {@code host:port}, as {@link EgressAllowList#forUrl} writes it
 * @param prefixes allowed path prefixes; a path matches one when equal to it or continuing it with {@code /} or {@code ?}
 */
public record EndpointPaths(String endpoint, List<String> prefixes) {
    /** No path rule: every path of every allowed host. */
    public static final EndpointPaths ANY = new EndpointPaths(null, List.of());
    /** Dot segments and encoded dots or slashes: a server could resolve them out of the allowed prefix. */
    private static final Pattern TRICKY = Pattern.compile("(^|/)\\.\\.?(/|$|\\?)|%2e|%2f|%5c|\\\\", Pattern.CASE_INSENSITIVE);

    public EndpointPaths {
        prefixes = List.copyOf(prefixes);
    }

    /** The API paths of {@code provider} under {@code basePath} (the base URL's path, "" for none). */
    public static EndpointPaths forProvider(String endpoint, String provider, String basePath) {
        String base = basePath == null ? "" : basePath.replaceAll("/+$", "");
        List<String> api = switch (provider == null ? "anthropic" : provider.toLowerCase(Locale.ROOT)) {
            // The OpenAI SDK's base URL already ends in /v1.
            case "openai" -> List.of("/chat/completions", "/responses", "/models");
            default -> List.of("/v1/messages", "/v1/models");
        };
        return new EndpointPaths(endpoint, api.stream().map(p -> base + p).toList());
    }

    /** Whether a plain-http request to {@code hostPort} for {@code pathAndQuery} may pass. */
    public boolean allows(String hostPort, String pathAndQuery) {
        if (endpoint == null || pathAndQuery == null || !endpoint.equalsIgnoreCase(hostPort)) return true;
        if (TRICKY.matcher(pathAndQuery).find()) return false;
        for (String prefix : prefixes) {
            if (pathAndQuery.equals(prefix) || pathAndQuery.startsWith(prefix + "/") || pathAndQuery.startsWith(prefix + "?")) return true;
        }
        return false;
    }

    @Override
    public String toString() { return endpoint == null ? "any path" : endpoint + " paths " + String.join(", ", prefixes); }
}
