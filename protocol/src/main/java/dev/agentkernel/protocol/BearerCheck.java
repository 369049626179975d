package dev.agentkernel.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks {@code Authorization: Bearer <nonce>} in constant time, for every server of the runner (turn protocol and
 * AgentBus). Both sides are hashed first so that neither the content nor the length of the nonce leaks through timing.
 */
public final class BearerCheck {
    /** The request header that carries the nonce. */
    public static final String HEADER = "Authorization";
    private static final String PREFIX = "Bearer ";
    private final byte[] expected;

    public BearerCheck(String nonce) {
        this.expected = sha256(nonce);
    }

    /** Whether {@code header} (the value of {@link #HEADER}, null when absent) carries the expected nonce. */
    public boolean accepts(String header) {
        String presented = header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                ? header.substring(PREFIX.length()).trim() : "";
        return MessageDigest.isEqual(expected, sha256(presented));
    }

    /** The header value a client sends. */
    public static String headerValue(String nonce) {
        return PREFIX + nonce;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
