package dev.agentkernel.protocol.net;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ProxyEnvTest {

    static String proxied(ProxyEnv p, String url) {
        Proxy proxy = p.proxyFor(URI.create(url));
        if (proxy.type() == Proxy.Type.DIRECT) return "DIRECT";
        InetSocketAddress a = (InetSocketAddress) proxy.address();
        return a.getHostString() + ":" + a.getPort();
    }

    @Test
    void schemesPickTheirProxyAndLowerCaseWins() {
        ProxyEnv p = ProxyEnv.of(Map.of("HTTP_PROXY", "http://upper:1", "http_proxy", "http://lower:2", "HTTPS_PROXY", "proxy.corp:3128"));
        assertEquals("lower:2", proxied(p, "http://api.example.com/v1"));
        assertEquals("proxy.corp:3128", proxied(p, "https://api.anthropic.com"));
        assertEquals("DIRECT", proxied(ProxyEnv.of(Map.of("HTTP_PROXY", "http://p:1")), "https://api.anthropic.com"),
                "an https target needs HTTPS_PROXY");
        assertEquals("p:80", proxied(ProxyEnv.of(Map.of("HTTP_PROXY", "http://p")), "http://x"));
        assertFalse(ProxyEnv.of(Map.of()).isSet());
        assertEquals("DIRECT", proxied(ProxyEnv.NONE, "https://api.anthropic.com"));
    }

    @Test
    void noProxyEntriesAndLoopbackBypass() {
        ProxyEnv p = ProxyEnv.of(Map.of("HTTPS_PROXY", "http://p:1", "HTTP_PROXY", "http://p:1",
                "NO_PROXY", "internal.corp, .svc,*.cluster.local 10.0.0.5 llm.lan:8443"));
        assertEquals("DIRECT", proxied(p, "https://internal.corp/x"));
        assertEquals("DIRECT", proxied(p, "https://a.b.internal.corp/x"));
        assertEquals("p:1", proxied(p, "https://notinternal.corp/x"), "a suffix match is on a label boundary");
        assertEquals("DIRECT", proxied(p, "http://kubernetes.default.svc"));
        assertEquals("DIRECT", proxied(p, "http://api.ns.svc.cluster.local"));
        assertEquals("DIRECT", proxied(p, "http://10.0.0.5:8080"));
        assertEquals("DIRECT", proxied(p, "https://llm.lan:8443"));
        assertEquals("p:1", proxied(p, "https://llm.lan"), "the entry names port 8443 only");
        for (String loop : List.of("http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9")) {
            assertEquals("DIRECT", proxied(p, loop), loop);
        }
        assertEquals("DIRECT", proxied(ProxyEnv.of(Map.of("HTTPS_PROXY", "http://p:1", "no_proxy", "*")), "https://anything"));
    }

    @Test
    void badProxyUrlsNameTheVariableAndTheFix() {
        var e = assertThrows(IllegalArgumentException.class, () -> ProxyEnv.of(Map.of("HTTPS_PROXY", "socks5://p:1080")));
        assertTrue(e.getMessage().contains("HTTPS_PROXY=socks5://p:1080") && e.getMessage().contains("http://"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ProxyEnv.of(Map.of("http_proxy", "http://")));
        assertTrue(e.getMessage().startsWith("http_proxy="), e.getMessage());
    }

    @Test
    void variablesAreHandedOnAndExtended() {
        Map<String, String> env = Map.of("HTTPS_PROXY", "http://p:1", "PATH", "/bin", "no_proxy", "a");
        assertEquals(Map.of("HTTPS_PROXY", "http://p:1", "no_proxy", "a"), ProxyEnv.variables(env));
        ProxyEnv pods = ProxyEnv.of(env).bypassing(List.of("10.96.0.1", ".svc", "A"));
        assertEquals(List.of("a", "10.96.0.1", ".svc"), pods.noProxy());
        Map<String, String> out = pods.toEnv();
        assertEquals("http://p:1", out.get("HTTPS_PROXY"));
        assertEquals("http://p:1", out.get("https_proxy"));
        assertEquals("a,10.96.0.1,.svc", out.get("NO_PROXY"));
        assertNull(out.get("HTTP_PROXY"));
        assertEquals(List.of(Proxy.NO_PROXY), pods.selector().select(URI.create("https://x.svc")));
    }
}
