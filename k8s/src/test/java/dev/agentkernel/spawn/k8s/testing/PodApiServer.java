package dev.agentkernel.spawn.k8s.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API server as pods see it at {@code https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT}: TLS only,
 * with a certificate from the cluster's own CA ({@link TestCa}), a bearer token required on every request (one
 * issued by the kubelet to a pod's projected volume, not yet expired), and RBAC: the token's service account
 * must be bound, by a RoleBinding in the namespace, to a Role whose rules allow the verb on the resource (and
 * name, when the rule has {@code resourceNames}). Allowed requests go on to the mock API server.
 */
final class PodApiServer implements AutoCloseable {
    private static final Pattern PATH = Pattern.compile("^/(?:api/v1|apis/([^/]+)/[^/]+)/namespaces/([^/]+)/([^/?]+)(?:/([^/?]+))?(?:/([^/?]+))?$");

    record Identity(String pod, String serviceAccount, Instant issuedAt) {}

    /** What the server decided about one request, for tests: e.g. "401 GET /apis/...", "200 GET ...". */
    record Decision(int code, String method, String path) {}

    private final HttpsServer server;
    private final KubernetesClient admin;
    private final URI upstream;
    private final String namespace;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Identity> tokens = new ConcurrentHashMap<>();
    private final List<Decision> decisions = new CopyOnWriteArrayList<>();
    private final SecureRandom random = new SecureRandom();

    PodApiServer(TestCa ca, KubernetesClient admin, URI upstream, String namespace) throws IOException {
        this.admin = admin;
        this.upstream = upstream;
        this.namespace = namespace;
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ca.serverContext()));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String host() { return "127.0.0.1"; }

    int port() { return server.getAddress().getPort(); }

    /**
     * A new token for the pod's service account. It stays valid until the kubelet has issued {@value #VALID_TOKENS}
     * newer ones for the pod (counted, not timed, so a slow machine cannot expire a token the kubelet just wrote):
     * a client that keeps the token it started with is refused after that many rewrites of the file.
     */
    synchronized String issue(String pod, String serviceAccount) {
        byte[] b = new byte[24];
        random.nextBytes(b);
        String token = "pod-token-" + HexFormat.of().formatHex(b);
        tokens.put(token, new Identity(pod, serviceAccount, Instant.now()));
        everIssued.add(token);
        java.util.Deque<String> mine = issued.computeIfAbsent(pod, k -> new java.util.ArrayDeque<>());
        mine.addLast(token);
        while (mine.size() > VALID_TOKENS) tokens.remove(mine.removeFirst());
        return token;
    }

    /**
     * Measured: with 2 and 4, a runner's first request (a cold TLS handshake in a C1-only JVM on this loaded
     * 2-core box) sometimes arrived after that many rewrites, 1 s apart. That the runner re-reads the file is
     * checked by {@link #tokensUsed}, not by expiry.
     */
    static final int VALID_TOKENS = 10;
    /** Pod name to the distinct tokens it authenticated with (accepted requests only). */
    private final Map<String, java.util.Set<String>> used = new ConcurrentHashMap<>();
    private final java.util.Set<String> everIssued = ConcurrentHashMap.newKeySet();
    private final Map<String, java.util.Deque<String>> issued = new ConcurrentHashMap<>();

    /** The pod is gone: its tokens stop working (a bound token dies with its pod). */
    synchronized void revoke(String pod) {
        issued.remove(pod);
        tokens.values().removeIf(i -> i.pod().equals(pod));
    }

    List<Decision> decisions() { return List.copyOf(decisions); }

    /** How many different tokens the pod has authenticated with: more than one once it re-reads the rewritten file. */
    int tokensUsed(String pod) {
        var s = used.get(pod);
        return s == null ? 0 : s.size();
    }

    private void handle(HttpExchange ex) throws IOException {
        String raw = ex.getRequestURI().getRawPath();
        String query = ex.getRequestURI().getRawQuery();
        try (ex) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            Identity who = auth == null || !auth.startsWith("Bearer ") ? null : tokens.get(auth.substring(7).trim());
            if (who == null) {
                String why = auth == null ? "no bearer token" : everIssued.contains(auth.substring(7).trim()) ? "expired token" : "unknown token";
                refuse(ex, 401, "Unauthorized", why);
                return;
            }
            used.computeIfAbsent(who.pod(), k -> ConcurrentHashMap.newKeySet()).add(auth.substring(7).trim());
            Matcher m = PATH.matcher(raw);
            if (!m.matches() || m.group(5) != null) {
                refuse(ex, 403, "Forbidden", "the test cluster's pod API serves only namespaced resources");
                return;
            }
            String group = m.group(1) == null ? "" : m.group(1);
            String resource = m.group(3);
            String name = m.group(4);
            boolean watch = query != null && (query.contains("watch=true") || query.contains("watch=1"));
            if (name == null && query != null) name = fieldSelectorName(query);
            String verb = switch (ex.getRequestMethod()) {
                case "GET" -> watch ? "watch" : m.group(4) != null ? "get" : "list";
                case "POST" -> "create";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> "delete";
                default -> ex.getRequestMethod().toLowerCase();
            };
            if (!m.group(2).equals(namespace) || !allowed(who.serviceAccount(), group, resource, verb, name)) {
                refuse(ex, 403, "Forbidden", resource + (name == null ? "" : " \\\"" + name + "\\\"") + " is forbidden: User \\\"system:serviceaccount:"
                        + namespace + ":" + who.serviceAccount() + "\\\" cannot " + verb + " resource \\\"" + resource + "\\\" in API group \\\"" + group
                        + "\\\" in the namespace \\\"" + m.group(2) + "\\\"");
                return;
            }
            forward(ex, raw + (query == null ? "" : "?" + query));
        }
    }

    private static String fieldSelectorName(String query) {
        for (String p : query.split("&")) {
            if (!p.startsWith("fieldSelector=")) continue;
            String sel = URLDecoder.decode(p.substring("fieldSelector=".length()), StandardCharsets.UTF_8);
            if (sel.startsWith("metadata.name=") && !sel.contains(",")) return sel.substring("metadata.name=".length());
        }
        return null;
    }

    /** RBAC as the API server evaluates it, for Roles bound in the namespace. */
    private boolean allowed(String serviceAccount, String group, String resource, String verb, String name) {
        for (RoleBinding rb : admin.rbac().roleBindings().inNamespace(namespace).list().getItems()) {
            boolean bound = rb.getSubjects() != null && rb.getSubjects().stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
                    && serviceAccount.equals(s.getName()) && (s.getNamespace() == null || namespace.equals(s.getNamespace())));
            if (!bound || !"Role".equals(rb.getRoleRef().getKind())) continue;
            Role role = admin.rbac().roles().inNamespace(namespace).withName(rb.getRoleRef().getName()).get();
            if (role == null || role.getRules() == null) continue;
            for (PolicyRule r : role.getRules()) {
                if (matches(r.getApiGroups(), group) && matches(r.getResources(), resource) && matches(r.getVerbs(), verb)
                        && (r.getResourceNames() == null || r.getResourceNames().isEmpty()
                            || (name != null && r.getResourceNames().contains(name)))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean matches(List<String> allowed, String value) {
        return allowed != null && (allowed.contains("*") || allowed.contains(value));
    }

    private void refuse(HttpExchange ex, int code, String reason, String message) throws IOException {
        decisions.add(new Decision(code, ex.getRequestMethod(), ex.getRequestURI() + " (" + message + ")"));
        byte[] body = ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"" + message + "\",\"reason\":\""
                + reason + "\",\"code\":" + code + "}").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(code, body.length);
        ex.getResponseBody().write(body);
    }

    /** Streams the mock server's answer back (a watch stays open as long as the mock keeps it open). */
    private void forward(HttpExchange ex, String pathAndQuery) throws IOException {
        HttpRequest.Builder req = HttpRequest.newBuilder(upstream.resolve(pathAndQuery))
                .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(ex.getRequestBody().readAllBytes()));
        for (String h : List.of("Accept", "Content-Type", "User-Agent")) {
            String v = ex.getRequestHeaders().getFirst(h);
            if (v != null) req.header(h, v);
        }
        try {
            HttpResponse<InputStream> r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            decisions.add(new Decision(r.statusCode(), ex.getRequestMethod(), pathAndQuery));
            r.headers().firstValue("Content-Type").ifPresent(v -> ex.getResponseHeaders().set("Content-Type", v));
            ex.sendResponseHeaders(r.statusCode(), 0);
            try (InputStream in = r.body(); OutputStream out = ex.getResponseBody()) {
                byte[] buf = new byte[8192];
                for (int n; (n = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() { server.stop(0); }
}
