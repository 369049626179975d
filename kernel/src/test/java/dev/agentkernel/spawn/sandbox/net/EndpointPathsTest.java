package dev.agentkernel.spawn.sandbox.net;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The LLM endpoint's path rule: the provider's API under the base URL's path, nothing else on that host:port. */
class EndpointPathsTest {

    @Test
    void anthropicAllowsItsApiOnly() {
        EndpointPaths p = EndpointPaths.forProvider("127.0.0.1:8080", "anthropic", "");
        assertTrue(p.allows("127.0.0.1:8080", "/v1/messages"));
        assertTrue(p.allows("127.0.0.1:8080", "/v1/messages?beta=true"));
        assertTrue(p.allows("127.0.0.1:8080", "/v1/messages/count_tokens"));
        assertTrue(p.allows("127.0.0.1:8080", "/v1/models"));
        assertFalse(p.allows("127.0.0.1:8080", "/_requests"));
        assertFalse(p.allows("127.0.0.1:8080", "/v1/messagesX"));
        assertFalse(p.allows("127.0.0.1:8080", "/"));
        assertFalse(p.allows("127.0.0.1:8080", "/v1/messages/../../admin"));
        assertFalse(p.allows("127.0.0.1:8080", "/v1/messages/%2e%2e/%2e%2e/admin"));
        assertFalse(p.allows("127.0.0.1:8080", "/v1/messages/..%2F..%2Fadmin"));
        assertTrue(p.allows("pypi.org:443", "/simple/"), "other allowed hosts have no path rule");
    }

    @Test
    void openAiAndABaseUrlWithAPathPrefix() {
        EndpointPaths p = EndpointPaths.forProvider("gw.example:80", "openai", "/proxy/v1/");
        assertTrue(p.allows("gw.example:80", "/proxy/v1/chat/completions"));
        assertTrue(p.allows("gw.example:80", "/proxy/v1/responses"));
        assertTrue(p.allows("gw.example:80", "/proxy/v1/models"));
        assertFalse(p.allows("gw.example:80", "/v1/chat/completions"), "outside the prefix");
        assertFalse(p.allows("gw.example:80", "/proxy/v1/files"));
        assertTrue(p.allows("gw.example:80", null), "a tunnel carries no path: host and port decide");
        assertTrue(EndpointPaths.ANY.allows("gw.example:80", "/anything"));
        assertEquals("gw.example:80 paths /proxy/v1/chat/completions, /proxy/v1/responses, /proxy/v1/models", p.toString());
    }
}
