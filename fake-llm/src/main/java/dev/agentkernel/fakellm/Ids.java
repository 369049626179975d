package dev.agentkernel.fakellm;

import java.security.SecureRandom;
import java.util.Base64;

/** Identifiers shaped like the real APIs' ({@code msg_…}, {@code toolu_…}, {@code chatcmpl-…}, {@code call_…}). */
final class Ids {
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    static String of(String prefix, int length) {
        StringBuilder sb = new StringBuilder(prefix);
        for (int i = 0; i < length; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    /** An opaque base64 blob standing in for a thinking block's signature. */
    static String signature() {
        byte[] bytes = new byte[48];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
