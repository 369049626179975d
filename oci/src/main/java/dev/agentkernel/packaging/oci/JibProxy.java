package dev.agentkernel.packaging.oci;

import dev.agentkernel.protocol.net.ProxyEnv;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Jib takes its proxy only from the JVM's system properties ({@code https.proxyHost}, {@code http.nonProxyHosts}, ...),
 * not from {@code HTTPS_PROXY}; this maps the environment's proxy (issue 16.8, {@link ProxyEnv}) onto them, once, and
 * only where the user set no property of their own, so image pushes and pulls go where the rest of AgentKernel goes.
 */
final class JibProxy {
    private static boolean applied;

    private JibProxy() {}

    /** The system properties that say what {@code proxy} says. Loopback registries stay direct. */
    static Map<String, String> properties(ProxyEnv proxy) {
        Map<String, String> out = new LinkedHashMap<>();
        put(out, "https", proxy.httpsProxy());
        put(out, "http", proxy.httpProxy());
        if (!out.isEmpty()) {
            List<String> hosts = new ArrayList<>(List.of("localhost", "127.*", "[::1]"));
            for (String entry : proxy.noProxy()) {
                String e = entry.replaceFirst(":\\d+$", "");
                if (e.equals("*")) hosts = new ArrayList<>(List.of("*"));
                else if (e.startsWith("*.") || e.startsWith(".")) hosts.add("*" + e.substring(e.indexOf('.')));
                else {
                    hosts.add(e);
                    hosts.add("*." + e);
                }
                if (hosts.equals(List.of("*"))) break;
            }
            out.put("http.nonProxyHosts", String.join("|", hosts));
        }
        return out;
    }

    /** Sets {@link #properties} from {@code env} where unset; does nothing the second time. */
    static synchronized void apply(Map<String, String> env) {
        if (applied) return;
        applied = true;
        ProxyEnv proxy;
        try {
            proxy = ProxyEnv.of(env);
        } catch (IllegalArgumentException e) {
            // A proxy URL Jib could not use either; the push then fails naming the registry, as without a proxy.
            return;
        }
        properties(proxy).forEach((key, value) -> {
            if (System.getProperty(key) == null) System.setProperty(key, value);
        });
    }

    private static void put(Map<String, String> out, String scheme, URI proxy) {
        if (proxy == null) return;
        out.put(scheme + ".proxyHost", proxy.getHost());
        out.put(scheme + ".proxyPort", String.valueOf(proxy.getPort() > 0 ? proxy.getPort() : 80));
    }
}
