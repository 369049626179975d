package dev.agentkernel.spawn.sandbox.net;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class ProxyRequestTest {

    private static ProxyRequest parse(String head) throws RequestHead.Malformed {
        return ProxyRequest.from(RequestHead.parse(head.getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static String upstream(ProxyRequest request) {
        return new String(request.upstreamHead(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void connectNamesItsTarget() throws Exception {
        ProxyRequest r = parse("CONNECT Api.Example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\n\r\n");
        assertTrue(r.tunnel());
        assertEquals(new HostPort("Api.Example.com", 443), r.target());
        ProxyRequest v6 = parse("CONNECT [::1]:8443 HTTP/1.1\r\n\r\n");
        assertEquals(new HostPort("::1", 8443), v6.target());
        assertEquals("[::1]:8443", v6.target().toString());
    }

    @Test
    void absoluteFormIsRewrittenToOriginFormForOneConnection() throws Exception {
        ProxyRequest r = parse("GET http://h.org/a/b?c=d#frag HTTP/1.1\r\nHost: h.org\r\nProxy-Connection: keep-alive\r\n"
                + "Connection: keep-alive\r\nKeep-Alive: timeout=5\r\nAccept: */*\r\n\r\n");
        assertFalse(r.tunnel());
        assertEquals(new HostPort("h.org", 80), r.target());
        assertEquals("GET /a/b?c=d HTTP/1.1\r\nHost: h.org\r\nAccept: */*\r\nConnection: close\r\n\r\n", upstream(r));
    }

    @Test
    void missingPathAndHostAreFilledIn() throws Exception {
        assertEquals("GET / HTTP/1.0\r\nHost: h.org:8080\r\nConnection: close\r\n\r\n",
                upstream(parse("GET http://h.org:8080 HTTP/1.0\r\n\r\n")));
        assertEquals("GET /?q=1 HTTP/1.1\r\nHost: [::1]:81\r\nConnection: close\r\n\r\n",
                upstream(parse("GET http://[::1]:81?q=1 HTTP/1.1\r\n\r\n")));
    }

    @Test
    void upgradeRequestKeepsItsConnectionHeaders() throws Exception {
        String head = "GET http://h.org/ws HTTP/1.1\r\nHost: h.org\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
        assertEquals("GET /ws HTTP/1.1\r\nHost: h.org\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", upstream(parse(head)));
    }

    @Test
    void userInfoAndSmuggledLineBreaksAreRefused() {
        assertThrows(RequestHead.Malformed.class, () -> parse("GET http://allowed.org@evil.org/ HTTP/1.1\r\n\r\n"));
        assertThrows(RequestHead.Malformed.class, () -> parse("GET http://h.org/ HTTP/1.1\r\nX: a\nHost: evil.org\r\n\r\n"));
        assertThrows(RequestHead.Malformed.class, () -> parse("GET http://h.org/\n HTTP/1.1\r\n\r\n"));
        assertThrows(RequestHead.Malformed.class, () -> parse("GET http://h.org:0/ HTTP/1.1\r\n\r\n"));
        assertThrows(RequestHead.Malformed.class, () -> parse("CONNECT ::1:443 HTTP/1.1\r\n\r\n"));
    }
}
