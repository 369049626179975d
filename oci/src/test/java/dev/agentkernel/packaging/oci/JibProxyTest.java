package dev.agentkernel.packaging.oci;

import dev.agentkernel.protocol.net.ProxyEnv;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class JibProxyTest {
    @Test
    void theEnvironmentsProxyBecomesJibsSystemProperties() {
        Map<String, String> p = JibProxy.properties(ProxyEnv.of(Map.of("HTTPS_PROXY", "http://proxy.corp:3128", "http_proxy", "http://p2",
                "NO_PROXY", "registry.corp,.internal,*.svc,10.0.0.5:5000")));
        assertEquals("proxy.corp", p.get("https.proxyHost"));
        assertEquals("3128", p.get("https.proxyPort"));
        assertEquals("p2", p.get("http.proxyHost"));
        assertEquals("80", p.get("http.proxyPort"));
        assertEquals("localhost|127.*|[::1]|registry.corp|*.registry.corp|*.internal|*.svc|10.0.0.5|*.10.0.0.5", p.get("http.nonProxyHosts"));
        assertEquals("*", JibProxy.properties(ProxyEnv.of(Map.of("HTTPS_PROXY", "http://p:1", "NO_PROXY", "a,*"))).get("http.nonProxyHosts"));
        assertTrue(JibProxy.properties(ProxyEnv.of(Map.of())).isEmpty(), "no proxy, no properties");
    }
}
