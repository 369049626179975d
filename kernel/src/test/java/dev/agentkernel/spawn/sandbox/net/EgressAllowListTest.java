package dev.agentkernel.spawn.sandbox.net;

import dev.agentkernel.ConfigException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class EgressAllowListTest {

    @Test
    void parsesHostPortEntriesAndMatchesExactPortsCaseInsensitively() {
        EgressAllowList list = EgressAllowList.of(List.of("PyPI.org:443", " api.anthropic.com:443 ", "127.0.0.1:8080"));
        assertEquals(List.of("pypi.org:443", "api.anthropic.com:443", "127.0.0.1:8080"), list.entries());
        assertTrue(list.allows("pypi.org", 443));
        assertTrue(list.allows("PYPI.ORG", 443));
        assertTrue(list.allows("pypi.org.", 443), "a fully qualified name with its trailing dot is the same host");
        assertFalse(list.allows("pypi.org", 80));
        assertFalse(list.allows("files.pypi.org", 443), "no implicit subdomains");
        assertFalse(list.allows("evilpypi.org", 443));
        assertTrue(list.allows("127.0.0.1", 8080));
        assertFalse(list.allows("localhost", 8080), "names are not resolved: an address allows only itself");
        assertEquals("pypi.org:443, api.anthropic.com:443, 127.0.0.1:8080", list.toString());
    }

    @Test
    void wildcardAllowsAnySubdomainButNotTheApex() {
        EgressAllowList list = EgressAllowList.of(List.of("*.Example.com:443"));
        assertEquals(List.of("*.example.com:443"), list.entries());
        assertTrue(list.allows("api.example.com", 443));
        assertTrue(list.allows("a.b.EXAMPLE.com", 443));
        assertFalse(list.allows("example.com", 443));
        assertFalse(list.allows("badexample.com", 443));
        assertFalse(list.allows("api.example.com", 80));
        assertFalse(list.allows("example.com.evil.org", 443));
    }

    @Test
    void wildcardNeverMatchesAnAddress() {
        EgressAllowList list = EgressAllowList.of(List.of("*.example.com:80"));
        assertFalse(list.allows("10.0.0.1", 80));
        assertFalse(list.allows("::1", 80));
    }

    @Test
    void ipv6EntriesNeedBracketsAndMatchAnySpellingOfTheAddress() {
        EgressAllowList list = EgressAllowList.of(List.of("[::1]:8080", "[2001:DB8::1]:443"));
        assertEquals(List.of("[::1]:8080", "[2001:db8::1]:443"), list.entries());
        assertTrue(list.allows("::1", 8080));
        assertTrue(list.allows("[::1]", 8080));
        assertTrue(list.allows("0:0:0:0:0:0:0:1", 8080));
        assertTrue(list.allows("2001:db8:0:0:0:0:0:1", 443));
        assertFalse(list.allows("::2", 8080));
        assertFalse(list.allows("::1", 443));
        assertFalse(list.allows("not:an:address::zz", 443));
    }

    @Test
    void emptyEntryIsRefused() {
        assertMessage("", "sandbox.allow has an empty entry: write host:port, e.g. pypi.org:443");
    }

    @Test
    void entryWithoutPortIsRefusedWithTheFix() {
        assertMessage("pypi.org", "sandbox.allow entry 'pypi.org' has no port: write pypi.org:443");
        assertMessage("[::1]", "sandbox.allow entry '[::1]' has no port: write [::1]:443");
    }

    @Test
    void badPortIsRefused() {
        assertMessage("pypi.org:https", "sandbox.allow entry 'pypi.org:https' has port 'https', which is not a number from 1 to 65535");
        assertMessage("pypi.org:0", "not a number from 1 to 65535");
        assertMessage("pypi.org:65536", "not a number from 1 to 65535");
        assertMessage("pypi.org:", "has port ''");
    }

    @Test
    void urlIsRefusedWithTheEntryItShouldBe() {
        assertMessage("https://pypi.org/simple", "sandbox.allow entry 'https://pypi.org/simple' is a URL, not host:port: write pypi.org:443");
        assertMessage("http://localhost:8080/v1", "write localhost:8080");
    }

    @Test
    void unbracketedOrInvalidIpv6IsRefused() {
        assertMessage("2001:db8::1:443", "looks like an IPv6 address without brackets: write [address]:port");
        assertMessage("[2001:zz::1]:443", "has an invalid IPv6 address '2001:zz::1'");
        assertMessage("[::1:443", "has no closing ']'");
        assertMessage("[::1]443", "has '443' after ']'");
    }

    @Test
    void misplacedWildcardIsRefused() {
        assertMessage("*:443", "has a wildcard that is not a leading '*.': write e.g. *.example.com:443");
        assertMessage("api.*.com:443", "not a leading '*.'");
        assertMessage("*example.com:443", "not a leading '*.'");
        assertMessage("*.*.example.com:443", "not a leading '*.'");
        assertMessage("*.10.0.0.1:443", "puts a wildcard in front of an address");
    }

    @Test
    void invalidHostNameIsRefused() {
        assertMessage("py pi.org:443", "has an invalid host name 'py pi.org'");
        assertMessage("a..b:443", "has an invalid host name");
        assertMessage("-a.org:443", "has an invalid host name");
    }

    @Test
    void forUrlDefaultsThePortBySchemeAndIgnoresThePath() {
        assertEquals("api.anthropic.com:443", EgressAllowList.forUrl(URI.create("https://api.anthropic.com")));
        assertEquals("api.openai.com:443", EgressAllowList.forUrl(URI.create("https://API.openai.com/v1/chat?x=1")));
        assertEquals("127.0.0.1:80", EgressAllowList.forUrl(URI.create("http://127.0.0.1/v1")));
        assertEquals("127.0.0.1:4000", EgressAllowList.forUrl(URI.create("http://127.0.0.1:4000/v1")));
        assertEquals("[::1]:8443", EgressAllowList.forUrl(URI.create("https://[::1]:8443/")));
        // What forUrl gives is always a valid entry.
        assertTrue(EgressAllowList.of(List.of(EgressAllowList.forUrl(URI.create("https://[::1]:8443/")))).allows("::1", 8443));
    }

    @Test
    void forUrlRefusesNonHttpUrls() {
        ConfigException e = assertThrows(ConfigException.class, () -> EgressAllowList.forUrl(URI.create("ftp://example.com/x")));
        assertTrue(e.getMessage().contains("ftp://example.com/x"), e.getMessage());
        assertThrows(ConfigException.class, () -> EgressAllowList.forUrl(URI.create("/relative/path")));
    }

    @Test
    void combiningListsKeepsOrderAndDropsDuplicates() {
        EgressAllowList a = EgressAllowList.of(List.of("a.org:443"));
        EgressAllowList b = a.with("B.org:80").with("a.org:443").plus(EgressAllowList.of(List.of("c.org:443", "b.org:80")));
        assertEquals(List.of("a.org:443", "b.org:80", "c.org:443"), b.entries());
        assertEquals(List.of("a.org:443"), a.entries(), "lists are immutable");
        assertTrue(b.allows("c.org", 443));
        assertEquals(EgressAllowList.of(List.of("a.org:443", "b.org:80", "c.org:443")), b);
        assertThrows(ConfigException.class, () -> a.with("nope"));
    }

    @Test
    void emptyListAllowsNothingAndSaysSo() {
        assertTrue(EgressAllowList.none().isEmpty());
        assertFalse(EgressAllowList.none().allows("localhost", 80));
        assertEquals("nothing", EgressAllowList.of(List.of()).toString());
    }

    private static void assertMessage(String entry, String expectedPart) {
        ConfigException e = assertThrows(ConfigException.class, () -> EgressAllowList.of(List.of(entry)));
        assertTrue(e.getMessage().contains(expectedPart), "message: " + e.getMessage());
    }
}
