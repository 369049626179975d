package dev.agentkernel.runner.http;

import com.sun.net.httpserver.HttpExchange;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks {@code Authorization: Bearer <nonce>} in constant time. Both sides are hashed first so that
 * neither the content nor the length of the nonce leaks through timing.
 */
final class BearerAuth {
    private static final String PREFIX = "Bearer ";
    private final byte[] expected;

    BearerAuth(String nonce) {
        this.expected = sha256(nonce);
    }

    boolean accepts(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        String presented = header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                ? header.substring(PREFIX.length()).trim() : "";
        return MessageDigest.isEqual(expected, sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
