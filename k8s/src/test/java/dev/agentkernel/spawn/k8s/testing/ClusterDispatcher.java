package dev.agentkernel.spawn.k8s.testing;

import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The test API server: the fabric8 CRUD dispatcher plus what CRUD mode lacks — {@code pods/portforward}
 * (a real tunnel), RBAC refusals on demand, and a log of every request so tests can count API calls.
 */
final class ClusterDispatcher extends Dispatcher {
    private static final Pattern PORT_FORWARD = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/portforward\\?.*ports=(\\d+).*");

    record Call(String method, String path, String userAgent) {}

    private record Forbidden(String method, Pattern path, String verb, String resource) {}

    private final KubernetesMixedDispatcher crud = new KubernetesMixedDispatcher(Map.of());
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<Forbidden> forbidden = new CopyOnWriteArrayList<>();
    private final Function<String, Optional<String>> podIp;

    ClusterDispatcher(Function<String, Optional<String>> podIp) { this.podIp = podIp; }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        calls.add(new Call(request.getMethod(), request.getPath(), request.getHeader("User-Agent")));
        for (Forbidden f : forbidden) {
            if (f.method.equalsIgnoreCase(request.getMethod()) && f.path.matcher(request.getPath()).find()) {
                return forbidden(f);
            }
        }
        Matcher pf = PORT_FORWARD.matcher(request.getPath());
        if (pf.matches()) {
            Optional<String> ip = podIp.apply(pf.group(2));
            if (ip.isEmpty()) return new MockResponse().setResponseCode(404).setBody("{\"kind\":\"Status\",\"code\":404,\"message\":\"pod not running\"}");
            return new MockResponse().withWebSocketUpgrade(new PortForwardTunnel(new InetSocketAddress(ip.get(), Integer.parseInt(pf.group(3)))));
        }
        return crud.dispatch(request);
    }

    private static MockResponse forbidden(Forbidden f) {
        String message = f.resource + " is forbidden: User \"system:serviceaccount:agentkernel-0:kernel\" cannot " + f.verb
                + " resource \"" + f.resource + "\" in API group \"\" in the namespace \"agentkernel-0\"";
        String body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"" + message.replace("\"", "\\\"")
                + "\",\"reason\":\"Forbidden\",\"details\":{\"kind\":\"" + f.resource + "\"},\"code\":403}";
        return new MockResponse().setResponseCode(403).setHeader("Content-Type", "application/json").setBody(body);
    }

    /** From now on, answer {@code method} requests whose path contains a match of {@code pathRegex} with 403. */
    void forbid(String method, String pathRegex, String verb, String resource) {
        forbidden.add(new Forbidden(method, Pattern.compile(pathRegex), verb, resource));
    }

    void allowAll() { forbidden.clear(); }

    List<Call> calls() { return List.copyOf(calls); }

    void clearCalls() { calls.clear(); }

    @Override
    public void shutdown() { crud.shutdown(); }
}
