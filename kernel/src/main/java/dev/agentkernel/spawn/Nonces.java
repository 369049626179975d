package dev.agentkernel.spawn;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Agent nonces: 256 random bits from {@link SecureRandom}, as 64 lowercase hex characters. */
public final class Nonces {
    public static final int BITS = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Nonces() {}

    public static String generate() {
        byte[] bytes = new byte[BITS / 8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
